"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.access_support import populate, settings_for
from wholeplace.web.app import create_app


@pytest.fixture
def web(app_engine, app_url, register_db):
    """The web app on a migrated application database holding the access fixtures' councils
    and people (tests/access_support.py), behind a TestClient. A test module may define its
    own ``web`` with more in it."""
    populate(app_engine)
    with TestClient(create_app(settings_for(register_db, app_url))) as client:
        yield client
