Feature: Xiaozhen county: suspending and extending a mediation move its deadline on working time

  Background:
    Given this county's definition is loaded
    And the time is "2026-09-30 10:00"
    And a case is registered at window "综合窗口" of "东镇":
      | 事项类型 | 婚姻家庭                   |
      | 等级     | 一般                       |
      | 地点     | 东村                       |
      | 纠纷发生地.镇 | 东镇 |
      | 纠纷发生地.村 | 东村 |
      | 当事人   | 周一，13800001111          |
      | 纠纷概要 | 夫妻因抚养费发生争执       |
    And the "调度员" at "东镇" takes action "派发"

  Scenario: A suspended case cannot be worked, and resuming shifts the due time by the working time lost
    When the "调解员" at "司法所（东镇）" suspends the case with reason "当事人外出务工，节后返乡"
    Then the case status is "suspended"
    When the "调解员" at "司法所（东镇）" takes action "调解成功" with:
      | 调解经过 | 双方达成抚养费协议 |
    Then the action is refused with "案件已中止办理"
    When time moves on to "2026-10-09 10:00"
    And the "调解员" at "司法所（东镇）" resumes the case
    Then the case status is "open"
    And the open ticket is due at "2026-10-13 10:00"

  Scenario: An extension needs a reason and adds working days
    When the "调解员" at "司法所（东镇）" extends by "2 working days" with reason " "
    Then the action is refused with "延期必须填写理由"
    When the "调解员" at "司法所（东镇）" extends by "2 working days" with reason "需要等待亲子鉴定结果"
    Then the open ticket is due at "2026-10-13 10:00"
    And the case timeline contains in order:
      | event    | note         |
      | extended | 亲子鉴定     |
