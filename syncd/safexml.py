"""Parse untrusted XML (bank files arrive from mail, SFTP drops and users) safely.

Statement files are never allowed a DTD: CAMT does not use one, and a DTD is the
door for entity-expansion bombs ("billion laughs") and external-entity reads.
We therefore refuse any DOCTYPE/ENTITY declaration before libxml2 sees the bytes,
parse with entity resolution, network access and DTD loading switched off, and
check the parsed tree once more in case the declaration hid in an exotic encoding.
The size cap is checked first so a huge file is refused without being parsed.
"""

from __future__ import annotations

import codecs
from io import BytesIO

from lxml import etree

from syncd.errors import InputError

#: Largest statement file we parse; real CAMT files are far below this.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_FORBIDDEN = (b"<!doctype", b"<!entity")

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )


def _as_text(data: bytes) -> bytes:
    """The document as ASCII-compatible bytes, so a byte search finds markup in UTF-16/32 too."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace").encode("utf-8")
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le", errors="replace").encode("utf-8")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace").encode("utf-8")
    return data


def reject_declarations(data: bytes, path: str) -> None:
    """Raise :class:`InputError` if ``data`` contains a DOCTYPE or ENTITY declaration."""
    text = _as_text(data).lower()
    for marker in _FORBIDDEN:
        at = text.find(marker)
        if at >= 0:
            line = text.count(b"\n", 0, at) + 1
            raise InputError(
                path,
                f"line {line}",
                "DOCTYPE/ENTITY declarations are not allowed in statement files "
                "(they can hide entity-expansion attacks)",
            )


def parse_xml(data: bytes, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` (the content of ``path``) and return the root element.

    Raises :class:`InputError` for an oversize file, a DTD, or malformed XML
    (with the line number libxml2 reports).
    """
    if len(data) > max_bytes:
        raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
    reject_declarations(data, path)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"line {exc.lineno}", f"malformed XML: {exc.msg}") from None
    if root is None:
        raise InputError(path, "", "malformed XML: the document has no root element")
    if root.getroottree().docinfo.doctype:
        raise InputError(path, "", "DOCTYPE declarations are not allowed in statement files")
    return root


def sniff_root(data: bytes, limit: int = 64 * 1024) -> etree.QName | None:
    """The root element's qualified name, reading only the start of ``data``.

    Used for format detection: it tolerates errors later in the file (those
    are reported, with line numbers, by the real parse) and returns ``None``
    for anything that does not start like XML.  Entities are never expanded.
    """
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    stream = BytesIO(data[:limit])
    try:
        while chunk := stream.read(1024):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                return etree.QName(element)
    except etree.XMLSyntaxError:
        return None
    return None
