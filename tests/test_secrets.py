"""Secrets never show: not in what the CLI prints, not in logs, not in the state store, even
when Odoo's error answer echoes the request that carried the API key, and not from a URL
whose password holds characters that URLs reserve."""

from __future__ import annotations

import http.server
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest

from syncd import logs
from syncd.config import Config, OdooConfig, mask_url, url_password

from .camt_builder import Entry, build_camt053

ACCOUNT = "GB29NWBK60161331926819"


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """Odoo as a careless proxy might answer: every JSON-RPC call refused with an error that
    quotes the request's body (the API key included). odoorpc's version probe is answered."""

    calls: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        request = json.loads(body)
        type(self).calls.append(self.path)
        if self.path == "/web/webclient/version_info":
            answer = {"jsonrpc": "2.0", "id": request.get("id"),
                      "result": {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]}}
        else:
            answer = {"jsonrpc": "2.0", "id": request.get("id"), "error": {
                "code": 200, "message": f"Odoo Server Error: {body}",
                "data": {"name": "odoo.exceptions.UserError", "message": f"cannot handle {body}",
                         "arguments": [body], "debug": f"Traceback ... {body}"}}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    """A loopback server that stops by itself: after 120 s or 200 requests at most."""
    EchoHandler.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    server.timeout = 0.1
    stop = threading.Event()
    deadline = time.monotonic() + 120

    def serve():
        while not stop.is_set() and time.monotonic() < deadline and len(EchoHandler.calls) < 200:
            server.handle_request()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.server_close()


#: a key as JSON and Python would escape it (quote, backslash, non-ASCII), around a core that
#: must not show even in part
CORE = secrets.token_hex(16)
KEY = f'k"\\é/{CORE}'


@pytest.fixture
def syncd(echo_server, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "syncd.toml"
    config.write_text(f"[sources.bank]\npath = '{inbox}'\nsettle = 0\n")
    env = {**os.environ, "SYNCD_CONFIG": str(config), "SYNCD_ODOO_URL": echo_server,
           "SYNCD_ODOO_DATABASE": "prod", "SYNCD_ODOO_LOGIN": "syncd", "SYNCD_ODOO_API_KEY": KEY,
           "SYNCD_STATE_URL": f"sqlite:///{tmp_path / 'state' / 'state.sqlite'}"}

    def statement(folder):
        path = folder / "statement.xml"
        path.write_bytes(build_camt053(ACCOUNT, [Entry(Decimal("12.00"), "payment", bank_ref="S-1")]))
        return path

    def run(*args):
        return subprocess.run([sys.executable, "-m", "syncd", *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)

    run.statement = statement
    run.inbox = inbox
    return run


def assert_no_trace(result):
    output = result.stdout + result.stderr
    assert EchoHandler.calls, "Odoo was never asked"
    assert "***" in output, output  # the echo came back and was masked where the key stood
    assert CORE not in output and KEY not in output, output


def test_check_prints_no_trace_of_the_key_that_odoo_echoes(syncd):
    result = syncd("check")
    assert result.returncode != 0
    assert "cannot handle" in result.stdout
    assert_no_trace(result)


def test_import_prints_no_trace_of_the_key_that_odoo_echoes(syncd, tmp_path):
    result = syncd("--log-format", "json", "-v", "import", str(syncd.statement(tmp_path)))
    assert result.returncode == 65, result.stderr
    assert_no_trace(result)


def test_run_once_prints_and_logs_no_trace_of_the_key_that_odoo_echoes(syncd, tmp_path):
    syncd.statement(syncd.inbox)
    result = syncd("run", "--once")
    assert result.returncode == 65, result.stderr
    assert_no_trace(result)
    status = syncd("status")
    assert CORE not in status.stdout + status.stderr


@pytest.mark.parametrize("password", ["p@ss", "a:b", "x/y", "p@:/ss@@", "%40encoded"])
def test_mask_url_hides_the_whole_password_whatever_it_holds(password):
    url = f"postgresql+psycopg://syncd:{password}@db.example:5432/syncd"
    assert mask_url(url) == "postgresql+psycopg://syncd:***@db.example:5432/syncd"
    assert url_password(url) == password
    config = Config(odoo=OdooConfig(), state_url=url)
    assert config.state_store == "postgresql+psycopg://syncd:***@db.example:5432/syncd"
    assert password in config.secrets


def test_mask_url_leaves_urls_without_a_password_alone():
    for url in ("sqlite:////var/lib/syncd/state.sqlite", "postgresql://syncd@db/syncd", "http://127.0.0.1:8069"):
        assert mask_url(url) == url and url_password(url) == ""


def test_logs_mask_secrets_in_messages_tracebacks_and_urls(capsys):
    logs.setup(logging.INFO, "json")
    logs.mask("pw-" + CORE)
    log = logging.getLogger("syncd.test")
    request = json.dumps({"args": ["db", 2, "pw-" + CORE]})
    try:
        raise RuntimeError(f"request was {request}")
    except RuntimeError:
        log.exception("echoed %r", {"password": "pw-" + CORE})
    log.warning("store postgresql://u:un@known:pw@db/x failed")
    err = capsys.readouterr().err
    assert CORE not in err and "un@known" not in err
    assert "postgresql://u:***@db/x" in err
    assert [json.loads(line)["level"] for line in err.splitlines()] == ["error", "warning"]
