"""How the sink sorts failures into syncd's error kinds (which decides retries and exit codes)."""

import io
import urllib.error

import odoorpc.error
import pytest

from syncd.errors import AccessDeniedError, PermanentError, RefusedError, TransientError
from syncd.sink import _classify


def http_error(code):
    return urllib.error.HTTPError("http://odoo/jsonrpc", code, "status", {}, io.BytesIO(b""))


def rpc_error(name, message="boom"):
    return odoorpc.error.RPCError(message, {"code": 200, "data": {"name": name, "message": message}})


@pytest.mark.parametrize(("exc", "kind"), [
    (http_error(502), TransientError),
    (http_error(503), TransientError),
    (http_error(504), TransientError),
    (http_error(429), TransientError),
    (http_error(500), TransientError),  # Odoo's own refusals come as JSON-RPC errors, not 500
    (http_error(404), PermanentError),
    (http_error(400), PermanentError),
    (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), TransientError),
    (ConnectionResetError(104, "reset"), TransientError),
    (TimeoutError("timed out"), TransientError),
    (rpc_error("psycopg2.errors.SerializationFailure"), TransientError),
    (rpc_error("psycopg2.errors.UniqueViolation"), TransientError),
    (rpc_error("odoo.addons.customer_ledger.models.customer_ledger_sync.PushConflict"), TransientError),
    (rpc_error("odoo.exceptions.AccessError"), AccessDeniedError),
    (rpc_error("odoo.exceptions.AccessDenied"), AccessDeniedError),
    (rpc_error("odoo.exceptions.ValidationError", "lines[0]: bad"), RefusedError),  # a PermanentError
    (rpc_error("odoo.exceptions.UserError", "No bank journal"), PermanentError),
])
def test_classify(exc, kind):
    mapped = _classify(exc, "customer.ledger.sync.push_statement_lines")
    assert type(mapped) is kind
    assert "customer.ledger.sync.push_statement_lines" in str(mapped)


def test_unknown_failures_are_not_hidden():
    assert _classify(ValueError("bug"), "x") is None


def test_a_validation_error_names_the_line_it_refuses():
    named = _classify(rpc_error("odoo.exceptions.ValidationError", "lines[12]: payment_ref must be ..."), "x")
    assert isinstance(named, RefusedError) and named.line == 12
    unnamed = _classify(rpc_error("odoo.exceptions.ValidationError", "Invalid date"), "x")
    assert isinstance(unnamed, RefusedError) and unnamed.line is None
    assert not isinstance(_classify(rpc_error("odoo.exceptions.UserError", "No bank journal"), "x"), RefusedError)
