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


@pytest.fixture
def pg_url():
    """A PostgreSQL database of its own (and a role that owns it) for a state store; dropped after."""
    import secrets
    import subprocess

    def psql(sql):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                               "-Atc", sql], capture_output=True, text=True, timeout=60, check=False)

    if psql("SELECT 1").returncode != 0:
        if _in_ci():
            pytest.fail("CI=true and PostgreSQL does not answer on 127.0.0.1:5432", pytrace=False)
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432 as postgres")
    name = f"syncd_test_{secrets.token_hex(4)}"
    password = secrets.token_hex(12)
    for sql in (f"CREATE ROLE {name} LOGIN PASSWORD '{password}'", f"CREATE DATABASE {name} OWNER {name}"):
        result = psql(sql)
        assert result.returncode == 0, result.stderr
    try:
        yield f"postgresql+psycopg://{name}:{password}@127.0.0.1:5432/{name}"
    finally:
        psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"DROP ROLE IF EXISTS {name}")
