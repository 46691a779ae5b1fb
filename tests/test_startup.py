"""Start-up stays light: ``syncd --version`` and ``syncd parse`` import neither the state
store's SQLAlchemy, nor the sink's odoorpc, nor rich or prometheus_client, which only the
commands that use them import (the importers of SQLAlchemy alone took 0.4 s)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "odoorpc", "rich", "prometheus_client", "tenacity", "alembic")


@pytest.mark.parametrize("module", ["syncd.metrics", "syncd.progress", "syncd.states", "syncd.parsers",
                                    "syncd.reading", "syncd.cli"])
def test_importing_does_not_pull_heavy_libraries(module):
    code = f"import sys, {module}; print(' '.join(sorted(n for n in {HEAVY!r} if n in sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_metrics_are_made_on_first_use():
    from syncd.metrics import METRICS, Metrics

    assert type(METRICS).__name__ == "_OnFirstUse"
    METRICS.errors.labels("input")  # the first use makes the registry
    assert isinstance(METRICS._metrics, Metrics)
