"""SFTP sources against a real OpenSSH server on 127.0.0.1 (Debian's openssh-server, started
by the test with its own host key, user key and configuration): files are downloaded, stored,
then moved on the server; refused files are quarantined there with their reason; an unknown
or changed host key and a server that is down are the source's error, not a crash."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from syncd.config import load_config
from syncd.daemon import Daemon, retry_quarantined
from syncd.store import QuarantineRecord, SourceRecord, Store, TransactionRecord

from .camt_builder import Entry, build_camt053
from .harness import free_port

SSHD = "/usr/sbin/sshd"
OLD = time.time() - 3600


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs openssh-server)")
    pytest.skip(reason)


def _keygen(path: Path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "syncd-test", "-f", str(path)], check=True)


@pytest.fixture
def sshd(tmp_path):
    """An OpenSSH server on a free loopback port that lets the current user in with a key."""
    if not os.path.exists(SSHD) or shutil.which("ssh-keygen") is None:
        _missing("OpenSSH's sshd is not installed (Debian package openssh-server)")
    base = tmp_path / "sshd"
    base.mkdir()
    _keygen(base / "host_key")
    _keygen(base / "user_key")
    (base / "authorized_keys").write_text((base / "user_key.pub").read_text())
    port = free_port()
    config = base / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {base / "host_key"}
AuthorizedKeysFile {base / "authorized_keys"}
PidFile {base / "sshd.pid"}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
""")
    os.makedirs("/run/sshd", exist_ok=True)  # its privilege separation directory
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
    host_key = (base / "host_key.pub").read_text().split()
    (base / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    for _ in range(100):
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"sshd did not start: {process.stderr.read()}")
            time.sleep(0.1)
    yield {"port": port, "dir": base, "process": process, "user": os.environ.get("USER") or _user()}
    process.terminate()
    process.wait(timeout=30)


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def setup(sshd, tmp_path):
    remote = tmp_path / "remote" / "outgoing"  # the server's folder (same machine, absolute path)
    remote.mkdir(parents=True)
    config_path = tmp_path / "syncd.toml"
    config_path.write_text(f"""[state]
url = "sqlite:///{tmp_path / 'state.sqlite'}"
[sources.bank]
kind = "sftp"
host = "127.0.0.1"
port = {sshd['port']}
user = "{sshd['user']}"
key_file = "{sshd['dir'] / 'user_key'}"
known_hosts = "{sshd['dir'] / 'known_hosts'}"
path = "{remote}"
staging = "{tmp_path / 'staging'}"
settle = 30
timeout = 10
""")
    store = Store(load_config(config_path).state_url)
    daemon = Daemon(lambda: load_config(config_path), store, lambda _config: None)
    return remote, config_path, store, daemon


def drop(folder: Path, name: str, data: bytes, settled: bool = True):
    path = folder / name
    path.write_bytes(data)
    if settled:
        os.utime(path, (OLD, OLD))


def camt(name: str, *amounts: str) -> bytes:
    return build_camt053("GB29NWBK60161331926819", [Entry(Decimal(a), f"{name} {i}", bank_ref=f"{name}-{i}")
                                                    for i, a in enumerate(amounts)], statement_id=name)


def test_files_are_fetched_stored_and_moved_on_the_server(setup, tmp_path):
    remote, _config, store, daemon = setup
    drop(remote, "a.xml", camt("a", "1.00", "2.00"))
    drop(remote, "b.xml", b"garbage")
    drop(remote, "c.xml", camt("c", "3.00"), settled=False)
    drop(remote, "d.xml.part", camt("d", "4.00"))

    result = daemon.run_pass("bank")
    assert (result.files, result.quarantined, result.error) == (1, 1, "")
    with store.transaction() as session:
        assert session.query(TransactionRecord).count() == 2
        (record,) = session.query(QuarantineRecord).all()
        assert record.path.startswith("sftp://") and record.path.endswith(f"{remote}/quarantine/b.xml")
    assert sorted(p.name for p in remote.iterdir() if p.is_file()) == ["c.xml", "d.xml.part"]
    (day,) = (remote / "archive").iterdir()
    assert [p.name for p in day.iterdir()] == ["a.xml"]
    assert "unknown format" in (remote / "quarantine" / "b.xml.reason.txt").read_text()
    assert list((tmp_path / "staging").iterdir()) == []  # nothing left behind locally

    # retry puts the quarantined file back on the server, where it is read again
    assert retry_quarantined(daemon.config, store) == (1, 0)
    assert (remote / "b.xml").exists() and not (remote / "quarantine" / "b.xml.reason.txt").exists()


def test_an_unknown_host_key_is_refused_and_only_that_source_fails(setup, sshd):
    remote, _config, store, daemon = setup
    drop(remote, "a.xml", camt("a", "1.00"))
    other = sshd["dir"] / "other_key"
    _keygen(other)
    key = other.with_suffix(".pub").read_text().split()
    (sshd["dir"] / "known_hosts").write_text(f"[127.0.0.1]:{sshd['port']} {key[0]} {key[1]}\n")
    result = daemon.run_pass("bank")
    assert "is not the one in" in result.error and "refusing to connect" in result.error
    (sshd["dir"] / "known_hosts").write_text("")
    result = daemon.run_pass("bank")
    assert "is not in" in result.error and "unknown host" in result.error
    assert (remote / "a.xml").exists()
    with store.transaction() as session:
        assert session.query(TransactionRecord).count() == 0
        assert "unknown host" in session.get(SourceRecord, "bank").last_error


def test_a_server_that_is_down_is_the_source_error_until_it_is_back(setup, sshd):
    remote, _config, store, daemon = setup
    drop(remote, "a.xml", camt("a", "1.00"))
    sshd["process"].terminate()
    sshd["process"].wait(timeout=30)
    result = daemon.run_pass("bank")
    assert f"cannot connect to 127.0.0.1:{sshd['port']}" in result.error
    assert (remote / "a.xml").exists()
    with store.transaction() as session:
        assert session.get(SourceRecord, "bank").last_ok_at is None


def test_check_connects_and_verifies_the_host_key(setup):
    import subprocess
    import sys

    remote, config_path, _store, _daemon = setup
    drop(remote, "a.xml", camt("a", "1.00"))
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config_path), "check"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert "ok       source bank: sftp sftp://" in result.stdout and "1 file(s) waiting" in result.stdout
    assert "FAIL     odoo" in result.stdout  # no Odoo configured in this test: the check says so
