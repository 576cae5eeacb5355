Feature: Rugao's court link: a failed mediation goes to the fast-track court and is followed to the end
  The same declaration as 诉调对接.feature, written with the English step wordings.

  Background:
    Given this county's definition is loaded
    And the time is "2026-11-02 09:00"
    And a case is registered at window "综合受理1" of "如皋市中心":
      | field                   | value                        |
      | 事项类型                | 邻里纠纷                     |
      | 等级                    | 一般                         |
      | 地点                    | 东兴社区                     |
      | 纠纷发生地.乡镇（街道） | 如城街道                     |
      | 当事人                  | 冒一，申请人，13800001111    |
      | 纠纷概要                | 相邻宅基地排水沟堵塞引发争执 |
    And the "窗口人员" at "如皋市中心" takes action "转后台" with:
      | 受理渠道                | 来访                         |
      | 事项类型                | 邻里纠纷                     |
      | 等级                    | 一般                         |
      | 纠纷发生地.乡镇（街道） | 如城街道                     |
      | 当事人                  | 冒一，申请人，13800001111    |
      | 纠纷概要                | 相邻宅基地排水沟堵塞引发争执 |
    And the "调度员" at "东兴社区" takes action "派单" with:
      | 承办单位 | 人民调解委员会 |

  Scenario: The case waits for the court, which files it, hears it and concludes it
    When the "调解员" at "人民调解委员会（东兴社区）" takes action "转速裁" with:
      | 引导途径 | 速裁 |
    Then the case is at "等待法院" in "法院（如皋市中心）"
    And the case status is "open"
    When the "法院联络员" at "法院（如皋市中心）" takes action "登记立案" with:
      | 案号     | （2026）苏0682民初2号 |
      | 立案日期 | 2026-11-03            |
    And the "法院联络员" at "法院（如皋市中心）" takes action "登记结果" with:
      | 处理结果 | 结案     |
      | 法院结果 | 判决结案 |
    Then the case status is "closed"
    And the case timeline contains in order:
      | event          |
      | court_hand_off |
      | court_filed    |
      | court_decided  |
      | closed         |
    And the figures for "2026-11" are:
      | figure                 | value |
      | hand_offs              | 1     |
      | after_failed_mediation | 1     |
      | court_closed           | 1     |

  Scenario: An agreement sent for judicial confirmation is confirmed and counted
    When the "调解员" at "人民调解委员会（东兴社区）" takes action "调解成功" with:
      | 化解方式     | 人民调解                   |
      | 办理结果     | 化解成功                   |
      | 申请司法确认 | 是                         |
      | 办理经过     | 双方签订协议约定三日内疏通 |
    Then the case is at "待司法确认" in "法院（如皋市中心）"
    When the "法院联络员" at "法院（如皋市中心）" takes action "登记确认结果" with:
      | 确认结果 | 确认有效 |
    Then the case status is "closed"
    And the figures for "2026-11" are:
      | figure              | value |
      | confirmations_asked | 1     |
      | confirmed           | 1     |
