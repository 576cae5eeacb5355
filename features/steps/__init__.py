"""The step library, one module per concern; `features/conftest.py` exposes every step."""

from features.steps import acting, checks, figures, intake, letters, setup, time_travel

MODULES = (setup, intake, acting, time_travel, checks, figures, letters)  # letters: 函件
