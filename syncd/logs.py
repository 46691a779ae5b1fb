"""Logging for people (the default) or for log collectors (``--log-format json``: one JSON
object per line), and the one place secrets are masked: every log line (its message and its
traceback) and every message the CLI prints go through :func:`redact`.

What is masked: the configured secrets (the robot's API key or password, the state store's
password), also as they look escaped in JSON, in a Python repr or percent-encoded in a URL (an
error answer may echo the request that carried them), and the password of any URL with
credentials (``scheme://user:password@host``), configured or not.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import datetime, timezone
from urllib.parse import quote, quote_plus, unquote

from .config import mask_url

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"
#: a URL with credentials in a message, up to a space or a quote
_URL = re.compile(r"\b[A-Za-z][\w+.-]*://[^\s'\"<>]*@[^\s'\"<>]*")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class Redactor:
    """Masks secrets in text; :meth:`add` learns them once the configuration is read."""

    def __init__(self):
        self.forms: list[str] = []

    def add(self, *secrets: str):
        forms = set(self.forms)
        for secret in secrets:
            if secret:
                forms.update(_forms(secret))
        forms.discard("")
        self.forms = sorted(forms, key=len, reverse=True)  # the longest first: no half-masked secret

    def __call__(self, text) -> str:
        text = str(text)
        for form in self.forms:
            text = text.replace(form, MASK)
        return _URL.sub(lambda match: mask_url(match[0]), text)


def _forms(secret: str) -> set[str]:
    """A secret as it may appear in a message: as is, escaped in JSON or a repr, in a URL."""
    forms = {secret, unquote(secret), json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             repr(secret)[1:-1], quote(secret, safe=""), quote_plus(secret, safe="")}
    return forms | {json.dumps(form)[1:-1] for form in set(forms)}  # echoed twice: JSON in a JSON message


redact = Redactor()


class MaskSecrets(logging.Filter):
    """Masks secrets in a record's message and in its traceback, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup(level: int, log_format: str = "text"):
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(MaskSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a store's migrations, not news


def excepthook(kind, value, trace):
    """A crash's traceback, with the secrets masked like everything else syncd prints."""
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, trace))))


def mask(*secrets: str):
    """Never print or log these (the robot's API key or password, once the configuration is read)."""
    redact.add(*secrets)
