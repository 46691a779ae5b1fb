# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a customer may attach to a dispute on the portal: a few document types, told by their
content (not only their name), up to a size.

A file passes when its extension is allowed and its content is of that type: PDF, PNG and JPEG
files and XLSX workbooks by their signature, CSV and text files by having no control characters
(no binary content under a harmless name).
"""
import os

from odoo.tools.mimetypes import guess_mimetype

MAX_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# extension: the mimetype the file is stored with
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": XLSX,
    ".csv": "text/csv",
    ".txt": "text/plain",
}
TEXT_TYPES = frozenset(("text/csv", "text/plain"))
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")
_TEXT_SAMPLE = 64 * 1024


def looks_like_text(content):
    """Whether ``content`` (bytes) reads as text: no control character but tabs and line breaks."""
    return not any(byte < 32 and byte not in _TEXT_CONTROLS for byte in content[:_TEXT_SAMPLE])


def check_attachment(filename, content, max_bytes=MAX_BYTES):
    """``(mimetype, None)`` for an acceptable file, else ``(None, problem)`` where problem is
    ``"empty"``, ``"too_big"`` or ``"type"``."""
    if not content:
        return None, "empty"
    if len(content) > max_bytes:
        return None, "too_big"
    expected = ALLOWED.get(os.path.splitext(filename or "")[1].lower())
    if not expected:
        return None, "type"
    sniffed = guess_mimetype(content)
    if expected in TEXT_TYPES:
        acceptable = sniffed == "application/octet-stream" and looks_like_text(content)
    else:
        acceptable = sniffed == expected
    return (expected, None) if acceptable else (None, "type")
