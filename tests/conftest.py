"""Fixtures for the real-Odoo tests: one template database per run, a copy per test module."""

from __future__ import annotations

import os

import pytest

from .harness import JsonRpc, OdooHarness, OdooMissing, create_robot, locate_odoo


def _in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def odoo_install():
    try:
        return locate_odoo()
    except OdooMissing as exc:
        if _in_ci():
            pytest.fail(f"CI=true and {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def harness(odoo_install):
    odoo_bin, odoo_python = odoo_install
    harness = OdooHarness(odoo_bin, odoo_python, keep=bool(os.environ.get("CL_KEEP_DATABASES")))
    try:
        harness.setup()
        harness.build_template()
        yield harness
    finally:
        harness.cleanup()


@pytest.fixture(scope="module")
def odoo_db(harness, request):
    name = harness.copy_database(request.module.__name__.rsplit(".", 1)[-1])
    yield name
    harness.drop_database(name)


@pytest.fixture(scope="module")
def odoo_server(harness, odoo_db):
    server = harness.start_server(odoo_db)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(odoo_server):
    return JsonRpc(odoo_server.url, odoo_server.database)


@pytest.fixture(scope="module")
def robot(admin):
    user_id, api_key = create_robot(admin)
    return {"user_id": user_id, "login": "syncd", "api_key": api_key}
