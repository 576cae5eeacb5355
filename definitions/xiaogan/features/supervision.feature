Feature: Xiaogan supervision notices (督办单), issued by hand and answered by the office
  The same rules as 督办单.feature, in English: the county's supervisor issues a notice to the
  office handling a case; the office replies; a late reply goes up to the city.

  Background:
    Given the county definition "." is loaded
    And the time is "2026-11-02 09:00"
    And a case is registered at window "综合窗口" of "书院街道":
      | field                   | value                              |
      | 事项类型                | 邻里纠纷                           |
      | 等级                    | 一般                               |
      | 地点                    | 书院社区                           |
      | 纠纷发生地.乡镇（街道） | 书院街道                           |
      | 当事人                  | 吴八，申请人，13500006666          |
      | 纠纷概要                | 楼道堆放杂物引发邻里争吵，协商未果 |
    And the "调度员" at "书院街道" takes action "派发" with:
      | 承办单位 | 人民调解委员会 |

  Scenario: The supervision link follows handling and the office answers a notice on time
    Then the supervision link is held by the "督办员" at "孝南区中心"
    When the "督办员" at "孝南区中心" issues a supervision notice to "人民调解委员会" because "the party keeps calling"
    Then the supervision notice to "人民调解委员会" is "open"
    When the "承办人" at "人民调解委员会（书院街道）" replies to the supervision notice "mediation set for Thursday"
    Then the supervision notice to "人民调解委员会" is "on_time"
    And the supervision figures of "人民调解委员会" for "2026-11" are: issued 1, on time 1, late 0, open 0

  Scenario: A late reply escalates to the city and is counted late
    When the "督办员" at "孝南区中心" issues a supervision notice to "人民调解委员会" because "report progress" to be answered within 1 working days
    And 2 days pass
    Then a supervision ticket is open for the "负责人" at "孝感市综治中心"
    And the case timeline contains in order:
      | event                 |
      | supervision_issued    |
      | supervision_reminded  |
      | supervision_escalated |
    When the "承办人" at "人民调解委员会（书院街道）" replies to the supervision notice "done, sorry for the delay"
    Then the supervision notice to "人民调解委员会" is "late"
    And the supervision figures of "人民调解委员会" for "2026-11" are: issued 1, on time 0, late 1, open 0

  Scenario: Someone who is not the case's supervisor is refused
    When the "督办员" at "书院街道" issues a supervision notice to "人民调解委员会" because "town level"
    Then the action is refused with "您不是本案的督办人"
