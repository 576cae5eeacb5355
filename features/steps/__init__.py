"""The step library, one module per concern; `features/conftest.py` exposes every step."""

from features.steps import (
    acting,
    checks,
    figures,
    intake,
    letters,
    prevention,
    rewards,
    setup,
    supervising,
    tickets,
    time_travel,
)

# letters: 函件 and supervising: 督办 (issue 20); rewards and tickets: issue 22
MODULES = (
    setup,
    intake,
    acting,
    time_travel,
    checks,
    figures,
    letters,
    supervising,
    rewards,
    tickets,
    prevention,  # 排查预警 (issue 21, features/steps/prevention.py)
)
