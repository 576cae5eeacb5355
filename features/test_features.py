"""Every county's acceptance scenarios: `definitions/*/features/*.feature`, or only those of
the county named by YIDI_ACCEPT_DIR (what `yidi accept DIR` sets)."""

from __future__ import annotations

import os
from pathlib import Path

from pytest_bdd import scenarios

REPO = Path(__file__).resolve().parents[1]


def feature_folders() -> list[str]:
    chosen = os.environ.get("YIDI_ACCEPT_DIR")
    counties = [Path(chosen).resolve()] if chosen else sorted((REPO / "definitions").iterdir())
    return [str(c / "features") for c in counties if (c / "features").is_dir()]


scenarios(*feature_folders())
