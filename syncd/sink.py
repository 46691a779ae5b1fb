"""The Odoo sink: the addon's sync API over JSON-RPC. Only this module imports odoorpc.

It logs in with the robot's API key through ``/jsonrpc`` (API keys are refused by the
interactive ``/web/session/authenticate`` that ``odoorpc.ODOO.login`` uses) and calls the
``customer.ledger.sync`` methods with ``execute_kw``. Transient failures (connection
refused or reset, timeouts, 429/500/502/503/504, serialization conflicts) are retried with
jittered exponential backoff; every call it retries is idempotent by import key.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
from urllib.parse import urlsplit

import odoorpc
import odoorpc.error
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from . import API_VERSION
from .errors import AccessDeniedError, PermanentError, RefusedError, TransientError, UserError
from .metrics import METRICS

API_MODEL = "customer.ledger.sync"
# Odoo reports what it refuses (validation, access) as JSON-RPC errors in a 200 answer; a bare
# 500 is the server failing outside any request's logic (seen: two first requests racing on
# Odoo's lazily built static-file table), and every call syncd repeats is idempotent by key.
_TRANSIENT_HTTP = {429, 500, 502, 503, 504}
_TRANSIENT_SERVER_ERRORS = (
    "SerializationFailure",
    "could not serialize access",
    "LockNotAvailable",
    "UniqueViolation",  # a concurrent push of the same key: the retry finds it existing
    "PushConflict",  # the addon's name for that, and for two writers numbering one journal
)
#: how the addon names the line it refuses: ``lines[3]: payment_ref must be ...``
_LINE_INDEX = re.compile(r"\blines\[(\d+)\]")


def _classify(exc, what):
    """Map a low-level failure to syncd's error kinds."""
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code in _TRANSIENT_HTTP:
            return TransientError(f"{what}: Odoo answered HTTP {exc.code}")
        return PermanentError(f"{what}: Odoo answered HTTP {exc.code} {exc.reason}")
    if isinstance(exc, (urllib.error.URLError, ConnectionError, TimeoutError,
                        http.client.HTTPException)):
        reason = getattr(exc, "reason", exc)
        return TransientError(f"{what}: cannot reach Odoo: {reason}")
    if isinstance(exc, odoorpc.error.RPCError):
        info = exc.info if isinstance(exc.info, dict) else {}
        data = info.get("data", {}) if isinstance(info.get("data"), dict) else {}
        name = data.get("name", "")
        message = data.get("message") or str(exc)
        if any(marker in name or marker in message for marker in _TRANSIENT_SERVER_ERRORS):
            return TransientError(f"{what}: Odoo reported a conflict: {message}")
        if name.endswith(("AccessError", "AccessDenied")):
            return AccessDeniedError(f"{what}: access denied: {message}")
        if name.endswith("ValidationError"):
            index = _LINE_INDEX.search(message)
            return RefusedError(f"{what}: Odoo refused: {message}", int(index[1]) if index else None)
        return PermanentError(f"{what}: Odoo refused: {message}")
    return None


class OdooSink:
    """A connection to one Odoo database as the robot user."""

    def __init__(self, config, attempts: int = 5, budget: float | None = None):
        """``budget``: seconds a call and its retries may take in all (kept below the journal
        lease, so that a retried call never outlives the lease it was made under)."""
        self.config = config
        self._odoo = None  # connected on the first call, inside the retries
        self._uid = None
        self._call = retry(
            retry=retry_if_exception_type(TransientError),
            wait=wait_exponential_jitter(initial=0.5, max=20),
            stop=stop_after_attempt(attempts) | stop_after_delay(budget if budget is not None else 3600),
            before_sleep=lambda _state: METRICS.retries.inc(),
            reraise=True,
        )(self._call_once)

    def _connection(self):
        if self._odoo is None:
            parts = urlsplit(self.config.url)
            protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
            port = parts.port or (443 if parts.scheme == "https" else 80)
            # odoorpc asks the server for its version at once
            self._odoo = odoorpc.ODOO(parts.hostname, protocol=protocol, port=port, timeout=self.config.timeout)
        return self._odoo

    def _call_once(self, service, method, *args):
        what = f"{service}.{method}" if service != "object" else f"{args[3]}.{args[4]}"
        try:
            response = self._connection().json("/jsonrpc", {"service": service, "method": method,
                                                             "args": list(args)})
        except Exception as exc:  # noqa: BLE001 - classified below, re-raised when unknown
            mapped = _classify(exc, what)
            if mapped is None:
                raise
            raise mapped from exc
        return response["result"]

    def login(self):
        if self._uid is None:
            c = self.config
            uid = self._call("common", "authenticate", c.database, c.login, c.secret, {})
            if not uid:
                raise AccessDeniedError(
                    f"Odoo at {c.url} refused login {c.login!r} on database {c.database!r}"
                )
            self._uid = uid
        return self._uid

    def execute(self, model, method, *args, **kwargs):
        uid = self.login()
        c = self.config
        return self._call("object", "execute_kw", c.database, uid, c.secret, model, method, list(args), kwargs)

    def api_info(self):
        info = self.execute(API_MODEL, "api_info")
        major = str(info.get("api_version", "")).split(".", 1)[0]
        if major != str(API_VERSION):
            raise UserError(
                f"Odoo's Customer Ledger speaks sync API {info.get('api_version')}, "
                f"this syncd speaks {API_VERSION}: upgrade the older of the two"
            )
        return info

    def push_lines(self, journal, lines, source, statements=None):
        """Create the lines Odoo does not have yet; ``statements`` (sync API 1.1): the
        statements, by key, that lines naming one (``"statement": key``) join."""
        if statements is None:
            return self.execute(API_MODEL, "push_statement_lines", f"{API_VERSION}.0", journal, lines, source)
        return self.execute(API_MODEL, "push_statement_lines", f"{API_VERSION}.1", journal, lines, source,
                            statements)

    def lookup_keys(self, journal, keys):
        return self.execute(API_MODEL, "lookup_keys", f"{API_VERSION}.0", journal, keys)

    def reconcile(self, line_ids):
        return self.execute(API_MODEL, "reconcile_statement_lines", f"{API_VERSION}.0", line_ids)
