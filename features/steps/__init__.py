"""The step library, one module per concern; `features/conftest.py` exposes every step."""

from features.steps import (
    acting,
    checks,
    figures,
    intake,
    rewards,
    setup,
    tickets,
    time_travel,
)

# rewards and tickets: issue 22 (i22models)
MODULES = (setup, intake, acting, time_travel, checks, figures, rewards, tickets)
