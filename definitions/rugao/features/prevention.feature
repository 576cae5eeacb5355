Feature: Rugao prevention, written with the English steps
  Screening rounds open once per unit and round; a clue seen from three channels raises a warning.

  Background:
    Given this county's definition is loaded
    And the time is "2026-11-02 09:00"

  Scenario: The worker opens each round once and a missed round counts against coverage
    When the worker runs the periodic jobs that are due
    Then screening "镇（街道）每半月排查" has 14 tasks this round
    When the "调解员" at "司法所（白蒲镇）" records the checklist of "镇半月查":
      | field        | value    |
      | 已排查事项   | 矛盾纠纷 |
      | 发现矛盾纠纷 | 否       |
    And the worker runs the periodic jobs that are due
    Then screening "镇半月查" has 14 tasks this round
    When time moves on to "2026-11-16 08:00"
    # 56 daily and 56 weekly tasks ended too: 1 on time of 126 due
    Then the screening coverage for "2026-11-01 to 2026-11-16" is "0.8%"

  Scenario: Three channels in thirty days are enough for the orange warning
    When a case comes in through channel "12345":
      | field                   | value                          |
      | 事项类型                | 物业纠纷                       |
      | 等级                    | 一般                           |
      | 地点                    | 西河社区                       |
      | 纠纷发生地.乡镇（街道） | 如城街道                       |
      | 当事人                  | 业主甲，申请人，13900000001    |
      | 纠纷概要                | 小区物业费上涨引发业主集体不满 |
    And a case comes in through channel "网格":
      | 事项类型                | 物业纠纷                       |
      | 等级                    | 一般                           |
      | 地点                    | 西河社区                       |
      | 纠纷发生地.乡镇（街道） | 如城街道                       |
      | 当事人                  | 业主乙，申请人，13900000002    |
      | 纠纷概要                | 网格员巡查发现业主与物业争执   |
    Then no warning "同一线索五次" is raised
    When a case comes in through channel "110":
      | 事项类型                | 物业纠纷                       |
      | 等级                    | 一般                           |
      | 地点                    | 西河社区                       |
      | 纠纷发生地.乡镇（街道） | 如城街道                       |
      | 当事人                  | 业主丙，申请人，13900000003    |
      | 纠纷概要                | 业主与物业保安发生推搡报警     |
    Then warning "同一线索五次" is raised at grade "橙", explained as "同一地点、事项 30 天内第 3 次，来源：110×1、12345×1、网格×1（3 个渠道）"
