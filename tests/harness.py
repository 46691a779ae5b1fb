"""A real Odoo 17 for tests, benchmarks and the demo: databases, the addon's own tests, a
live HTTP server, and JSON-RPC as the administrator.

Odoo is found through ``ODOO_BIN`` and ``ODOO_PYTHON`` (defaults under ``/opt/odoo17``),
PostgreSQL through ``PGHOST``/``PGPORT`` (default 127.0.0.1:5432) with the ``postgres``
superuser (``CL_PG_SUPERUSER``) used only to create and drop a role of our own: Odoo refuses
to run as ``postgres``. Everything created is dropped by :meth:`OdooHarness.cleanup`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON_PATH = REPO / "addon"
DEFAULT_ODOO_BIN = "/opt/odoo17/odoo-bin"
DEFAULT_ODOO_PYTHON = "/opt/odoo17/.venv/bin/python"
ADMIN_LOGIN = ADMIN_PASSWORD = "admin"


class OdooMissing(RuntimeError):
    """Odoo 17 is not where the environment says."""


def locate_odoo(environ=os.environ):
    """``(odoo_bin, odoo_python)``, or :class:`OdooMissing` saying how to provide them."""
    odoo_bin = environ.get("ODOO_BIN", DEFAULT_ODOO_BIN)
    odoo_python = environ.get("ODOO_PYTHON", DEFAULT_ODOO_PYTHON)
    if not Path(odoo_bin).is_file() or not os.access(odoo_python, os.X_OK):
        raise OdooMissing(
            f"Odoo 17 Community not found (ODOO_BIN={odoo_bin}, ODOO_PYTHON={odoo_python}): "
            "install it from its source with its requirements.txt in a virtualenv, and point "
            "ODOO_BIN at odoo-bin and ODOO_PYTHON at that virtualenv's python"
        )
    result = subprocess.run([odoo_python, odoo_bin, "--version"], capture_output=True, text=True, check=False)
    if "Odoo Server 17" not in result.stdout:
        raise OdooMissing(
            f"{odoo_python} {odoo_bin} --version answered {result.stdout.strip() or result.stderr.strip()!r}, "
            "not Odoo Server 17"
        )
    return odoo_bin, odoo_python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OdooTestRun:
    returncode: int
    output: str
    tests: int
    failed: int
    errors: int

    @property
    def problems(self):
        """The ERROR and CRITICAL log records, each with its traceback."""
        problems, keep = [], False
        for line in self.output.splitlines():
            if _LOG_RECORD.match(line):
                keep = bool(re.search(r" (ERROR|CRITICAL) ", line))
            if keep:
                problems.append(line)
        return problems


    @property
    def skips(self):
        """Lines telling that a test was skipped (a browser test without Chromium, say)."""
        return [line for line in self.output.splitlines() if _SKIP.search(line)]


# Odoo's test result logs "<logger>: skipped <test> : <reason>"; a test merely named *_skipped is no skip.
_SKIP = re.compile(r"SkipTest|: skipped |websocket-client module is not installed|Chrome executable not found"
                   r"|Chrome headless connection|chrome dev ?tools", re.IGNORECASE)
_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ")


class OdooHarness:
    """One PostgreSQL role, a template database with the addon installed, and copies of it."""

    def __init__(self, odoo_bin, odoo_python, role=None, password=None, workdir=None, keep=False):
        self.odoo_bin = odoo_bin
        self.odoo_python = odoo_python
        self.pg_host = os.environ.get("PGHOST", "127.0.0.1")
        self.pg_port = os.environ.get("PGPORT", "5432")
        self.superuser = os.environ.get("CL_PG_SUPERUSER", "postgres")
        self.role = role or f"cl_test_{secrets.token_hex(4)}"
        self.password = password or secrets.token_hex(16)
        if workdir:
            self.workdir = Path(workdir)
            self.workdir.mkdir(parents=True, exist_ok=True)
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.role}_"))
        self.data_dir = self.workdir / "data"
        self.config_path = self.workdir / "odoo.conf"
        self.template = None
        self.databases = []
        self.keep = keep
        self._role_created = False

    # -- PostgreSQL ----------------------------------------------------------

    def _pg(self, *args, as_role=False, check=True):
        env = dict(os.environ)
        user = self.role if as_role else self.superuser
        if as_role:
            env["PGPASSWORD"] = self.password
        cmd = [args[0], "-h", self.pg_host, "-p", self.pg_port, "-U", user, *args[1:]]
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr.strip()}")
        return result

    def sql(self, statement, database="postgres"):
        return self._pg("psql", "-X", "-q", "-t", "-A", "-d", database, "-c", statement).stdout

    def setup(self):
        exists = self.sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{self.role}'").strip()
        verb = "ALTER" if exists else "CREATE"
        self.sql(f"{verb} ROLE {self.role} LOGIN CREATEDB PASSWORD '{self.password}'")
        self._role_created = not exists
        self.data_dir.mkdir(exist_ok=True)
        self.config_path.write_text(
            "[options]\n"
            f"db_host = {self.pg_host}\n"
            f"db_port = {self.pg_port}\n"
            f"db_user = {self.role}\n"
            f"db_password = {self.password}\n"
            f"addons_path = {Path(self.odoo_bin).parent / 'addons'},{ADDON_PATH}\n"
            f"data_dir = {self.data_dir}\n"
            "admin_passwd = " + secrets.token_hex(12) + "\n"
            "list_db = False\n"
            "max_cron_threads = 0\n"
            "without_demo = False\n"
        )
        return self

    def odoo(self, *args, command=None, log_file=None, timeout=3600, input=None):
        """Run odoo-bin (``command``: a subcommand such as ``shell``) with this harness's config."""
        cmd = [self.odoo_python, self.odoo_bin, *([command] if command else []), "-c", str(self.config_path), *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, input=input)
        output = result.stdout + result.stderr
        if log_file:
            Path(log_file).write_text(output)
        return result.returncode, output

    def build_template(self, modules="customer_ledger", name=None):
        """Install the addon (with demo data, which brings a chart of accounts) once."""
        name = name or f"{self.role}_template"
        self.databases.append(name)
        self.install(name, modules)
        self.template = name
        return name

    def install(self, database, modules):
        """Install ``modules`` (comma-separated) into ``database``, a copy of the template, say."""
        code, output = self.odoo("-d", database, "-i", modules, "--stop-after-init", "--log-level=warn")
        if code or re.search(r" (ERROR|CRITICAL) ", output):
            raise RuntimeError(f"installing {modules} into {database} failed:\n{output[-6000:]}")
        return output

    def copy_database(self, label):
        """A fresh copy of the template for one test module (``createdb -T``), filestore too."""
        name = f"{self.role}_{re.sub(r'[^a-z0-9_]', '_', label.lower())}"[:63]
        self._pg("dropdb", "--if-exists", name, as_role=True)
        self._pg("createdb", "-T", self.template, "-O", self.role, name, as_role=True)
        self.databases.append(name)
        source = self.data_dir / "filestore" / self.template
        if source.exists():
            shutil.copytree(source, self.data_dir / "filestore" / name, dirs_exist_ok=True)
        return name

    def drop_database(self, name):
        self._pg("dropdb", "--if-exists", "--force", name, as_role=True, check=False)
        shutil.rmtree(self.data_dir / "filestore" / name, ignore_errors=True)
        if name in self.databases:
            self.databases.remove(name)

    def cleanup(self):
        if self.keep:
            return
        for name in list(reversed(self.databases)):
            self.drop_database(name)
        if self._role_created:
            self.sql(f"DROP ROLE IF EXISTS {self.role}")
            self._role_created = False
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- the addon's own tests -------------------------------------------------

    def run_addon_tests(self, database, tags="/customer_ledger"):
        code, output = self.odoo("-d", database, "--test-enable", f"--test-tags={tags}",
                                 "--stop-after-init", "--log-level=test", "--http-port", str(free_port()))
        totals = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", output)
        failed, errors, tests = map(int, totals[-1]) if totals else (0, 0, 0)
        return OdooTestRun(code, output, tests, failed, errors)

    # -- a live server -------------------------------------------------------

    def start_server(self, database, port=None, log_path=None, extra_args=()):
        return OdooServer(self, database, port or free_port(), log_path, extra_args).start()


class OdooServer:
    """``odoo-bin`` serving one database over HTTP on 127.0.0.1."""

    def __init__(self, harness, database, port, log_path=None, extra_args=()):
        self.harness = harness
        self.extra_args = list(extra_args)
        self.database = database
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(log_path or harness.workdir / f"server-{database}-{port}.log")
        self.gevent_port = free_port()
        self.process = None

    def start(self, timeout=120):
        h = self.harness
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed by stop()
        self._log = log
        self.process = subprocess.Popen(
            [h.odoo_python, h.odoo_bin, "-c", str(h.config_path), "-d", self.database,
             f"--db-filter=^{self.database}$", "--http-interface=127.0.0.1",
             f"--http-port={self.port}", "--gevent-port", str(self.gevent_port), "--max-cron-threads=0",
             *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        urls = [self.url]
        if any(arg.startswith("--workers=") and arg != "--workers=0" for arg in self.extra_args):
            # In workers mode Odoo also forks a gevent process for the websocket. One that cannot
            # start (an environment whose pkg_resources is too old to find zope.interface, say) is
            # forked again and again, silently burning a core: refuse such a server.
            urls.append(f"http://127.0.0.1:{self.gevent_port}")
        while urls and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{urls[0]}/web/health", timeout=2) as response:
                    if response.status == 200:
                        urls.pop(0)
            except (TimeoutError, urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        if not urls:
            return self
        self.stop()
        raise RuntimeError(f"Odoo did not answer on {urls[0]} within {timeout}s:\n{self.log_tail()}")

    def log_tail(self, chars=4000):
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class JsonRpc:
    """Plain JSON-RPC (``/jsonrpc``) as one user: what tests use to arrange and inspect."""

    def __init__(self, url, database, login=ADMIN_LOGIN, password=ADMIN_PASSWORD):
        self.url = url
        self.database = database
        self.password = password
        self.uid = self._call("common", "authenticate", database, login, password, {})
        if not self.uid:
            raise RuntimeError(f"login {login} refused on {database}")

    def _call(self, service, method, *args):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                           "params": {"service": service, "method": method, "args": args}}).encode()
        request = urllib.request.Request(f"{self.url}/jsonrpc", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            reply = json.loads(response.read())
        if "error" in reply:
            data = reply["error"].get("data", {})
            raise RpcFault(data.get("name", ""), data.get("message", str(reply["error"])))
        return reply["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call("object", "execute_kw", self.database, self.uid, self.password,
                          model, method, list(args), kwargs)


class RpcFault(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def create_robot(admin: JsonRpc, login="syncd"):
    """The syncd user and its API key, made through the addon's wizard as an admin would."""
    wizard_id = admin("customer.ledger.robot.wizard", "create", {"login": login})
    # the key is shown once, in the action that opens its form, and stored nowhere
    shown = admin("customer.ledger.robot.wizard", "action_generate", [wizard_id])
    [wizard] = admin("customer.ledger.robot.wizard", "read", [wizard_id], ["user_id"])
    return wizard["user_id"][0], shown["context"]["default_key"]
