from __future__ import annotations

import pytest
from sqlalchemy import Engine

from dsl.model import County
from tests.reports.builders import Seeder, demo_county, register_county


@pytest.fixture
def county() -> County:
    return demo_county()


@pytest.fixture
def seed(db: Engine, county: County) -> Seeder:
    with db.begin() as conn:
        county_id, version_id = register_county(conn, county)
    return Seeder(db, county_id, version_id)
