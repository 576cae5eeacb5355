"""The step library, one module per concern; `features/conftest.py` exposes every step."""

from features.steps import (
    acting,
    checks,
    figures,
    intake,
    letters,
    rewards,
    setup,
    tickets,
    time_travel,
)

# letters: 函件 (issue 20); rewards and tickets: issue 22
MODULES = (setup, intake, acting, time_travel, checks, figures, letters, rewards, tickets)
