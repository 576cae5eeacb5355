"""The step library, one module per concern; `features/conftest.py` exposes every step."""

from features.steps import acting, checks, figures, intake, rewards, setup, time_travel

MODULES = (setup, intake, acting, time_travel, checks, figures, rewards)
