"""The deployment files: the sample configuration loads, and every syncd command line in the
systemd units and the cron example is one this syncd accepts."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.config import load_config

DEPLOY = Path(__file__).parent.parent / "deploy"


def test_the_sample_configuration_loads_with_every_key():
    config = load_config(DEPLOY / "syncd.toml.example", environ={})
    source = config.sources["bank"]
    assert (source.kind, str(source.path), str(source.archive)) == ("inbox", "/srv/syncd/inbox/bank",
                                                                    "/srv/syncd/inbox/bank/archive")
    assert (source.interval, source.settle, source.format) == (300, 5, "auto")
    assert config.batch_size == 200 and config.odoo.timeout == 120


def command_lines():
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and path.suffix != ".example":
            for line in path.read_text().splitlines():
                if "bin/syncd " in line and not line.lstrip().startswith("#"):
                    yield pytest.param(line, id=f"{path.parent.name}/{path.name}")


@pytest.mark.parametrize("line", list(command_lines()))
def test_each_command_line_is_one_syncd_accepts(line):
    words = shlex.split(line.split("ExecStart=", 1)[-1])
    start = next(i for i, word in enumerate(words) if word.endswith("/syncd"))
    args = [word for word in words[start + 1:] if not word.startswith((">", "2>"))]
    assert "run" in args
    result = subprocess.run([sys.executable, "-m", "syncd", *args, "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Read the configured sources" in result.stdout


def test_systemd_units_name_what_they_run():
    service = (DEPLOY / "systemd" / "syncd.service").read_text()
    assert "ExecReload=/bin/kill -HUP $MAINPID" in service and "RestartPreventExitStatus=2 4 77" in service
    timer = (DEPLOY / "systemd" / "syncd-once.timer").read_text()
    assert "OnUnitActiveSec=5min" in timer
    assert "run --once" in (DEPLOY / "systemd" / "syncd-once.service").read_text()


@pytest.mark.parametrize("unit", ["syncd.service", "syncd-once.service"])
def test_systemd_units_create_files_for_the_syncd_user_alone(unit):
    settings = dict(line.split("=", 1) for line in (DEPLOY / "systemd" / unit).read_text().splitlines()
                    if "=" in line and not line.startswith("#"))
    assert settings["UMask"] == "0077"
    assert settings["StateDirectoryMode"] == "0700"
    for directory in ("LogsDirectory", "CacheDirectory", "RuntimeDirectory"):  # if one is used, owner-only too
        if directory in settings:
            assert settings[f"{directory}Mode"] == "0700"


def test_the_cron_example_sets_an_owner_only_umask_before_its_log_file_is_made():
    [line] = [line for line in (DEPLOY / "cron" / "syncd").read_text().splitlines() if "bin/syncd " in line
              and not line.startswith("#")]
    command = line.split(None, 6)[6]  # after the schedule and the user
    assert command.startswith("umask 077;") and command.index("umask") < command.index(">>")
