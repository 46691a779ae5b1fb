"""Parse untrusted XML (bank files arrive from mail, SFTP drops and users) safely.

Statement files are never allowed a DTD: CAMT does not use one, and a DTD is the
door for entity-expansion bombs ("billion laughs") and external-entity reads.
We therefore refuse any DOCTYPE/ENTITY declaration before libxml2 sees the bytes
(:class:`GuardedReader` scans each chunk as the streaming parser reads it), parse with
entity resolution, network access and DTD loading switched off, and check the parsed tree
once more in case the declaration hid in an exotic encoding. The size is capped as the
bytes are read, so a huge file is refused without being parsed.
"""

from __future__ import annotations

import codecs
from io import BytesIO

from lxml import etree

from syncd.caps import (  # noqa: F401 - DEFAULT_MAX_BYTES and STREAM_MAX_BYTES lived here
    DEFAULT_MAX_BYTES,
    MAX_ENTRY_BYTES,
    MAX_RECORD_SIZE,
    STREAM_MAX_BYTES,
    record_too_large,
)
from syncd.errors import InputError

_MARKER_OVERLAP = max(len(marker) for marker in (b"<!doctype", b"<!entity")) - 1

_FORBIDDEN = (b"<!doctype", b"<!entity")

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


#: libxml2 with every door closed: no entity resolution, no network, no DTD, no huge trees.
SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "dtd_validation": False,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
}


def _as_text(data: bytes) -> bytes:
    """The document as ASCII-compatible bytes, so a byte search finds markup in UTF-16/32 too."""
    encoding = _utf16_or_32(data[:4])
    return data.decode(encoding, errors="replace").encode("utf-8") if encoding else data


def _utf16_or_32(head: bytes) -> str:
    """The codec of a document that is not ASCII-compatible, by its BOM or first character."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    return ""


class GuardedReader:
    """A binary file for lxml's ``iterparse`` that refuses, while it is read, a file over
    ``max_bytes`` and any DOCTYPE/ENTITY declaration. Markers split between two reads are
    found too, and markers in UTF-16/32 documents.

    With ``records``, the streaming parser names the entry being read (:meth:`reading`) and
    marks where each record ends (:meth:`record_ended`: an entry, or one transaction of a
    batch entry): more than :data:`MAX_RECORD_SIZE` bytes read since the last end, or
    :data:`MAX_ENTRY_BYTES` since the entry began, is refused, so that the tree lxml builds
    stays small whatever the file holds (a 200 MB text node, a million elements inside one
    entry or between two)."""

    def __init__(self, handle, path: str, max_bytes: int = DEFAULT_MAX_BYTES, records: bool = False):
        self.handle = handle
        self.path = path
        self.max_bytes = max_bytes
        self.records = records
        self.record_start = 0  # the size read when the last record ended
        self.record = ""  # what is being read since, for the refusal
        self.record_line = 0
        self.entry_start = 0  # the size read when the entry began
        self.part = ""  # the transaction of the entry being read, if one is open
        self.part_line = 0
        self.inside = False  # in an entry, or between two
        self.size = 0
        self.lines = 0  # line ends before the scanned tail, for the error's line number
        self.tail = b""
        self.decoder: codecs.IncrementalDecoder | None = None  # for UTF-16/32 documents
        self.first = True

    def record_ended(self, after: str = ""):
        """A record was read whole: count the next one from here. ``after`` names an entry
        that ended; without it, a transaction of the entry being read ended."""
        self.record_start = self.size
        self.part = ""
        if after:
            self.record, self.inside = f"after {after}", False

    def reading(self, record: str, line: int):
        """The entry now being read (its place and line), named if it is refused."""
        self.record, self.record_line, self.inside = record, line, True
        self.entry_start = self.size
        self.part = ""

    def reading_part(self, part: str, line: int):
        """A transaction of the entry being read begins (its place and line)."""
        self.part, self.part_line = part, line

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size if size and size > 0 else 65536)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise InputError(self.path, "", f"file is more than the limit of {self.max_bytes} bytes")
        if self.records and self.inside and self.size - self.entry_start > MAX_ENTRY_BYTES:
            raise InputError(self.path, f"{self.record} (line {self.record_line})",
                             f"the entry is larger than the limit of {MAX_ENTRY_BYTES:,} bytes for one entry, "
                             "its transactions included: the file is refused")
        if self.records and self.size - self.record_start > MAX_RECORD_SIZE:
            if self.inside and self.part:
                what, where = "the transaction", f"{self.part} (line {self.part_line})"
            elif self.inside:
                what, where = "the entry", f"{self.record} (line {self.record_line})"
            else:
                what = f"the XML {self.record}" if self.record else "the XML before the first entry"
                where = f"line {self.lines + 1}"
            raise InputError(self.path, where, record_too_large(what, unit="bytes"))
        if self.first:
            self.first = False
            encoding = _utf16_or_32(chunk[:4])
            if encoding:
                self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        text = chunk if self.decoder is None else self.decoder.decode(chunk).encode("utf-8")
        window = self.tail + text.lower()
        for marker in _FORBIDDEN:
            at = window.find(marker)
            if at >= 0:
                line = self.lines + window.count(b"\n", 0, at) + 1
                raise InputError(
                    self.path,
                    f"line {line}",
                    "DOCTYPE/ENTITY declarations are not allowed in statement files "
                    "(they can hide entity-expansion attacks)",
                )
        self.tail = window[-_MARKER_OVERLAP:]
        self.lines += window.count(b"\n") - self.tail.count(b"\n")
        return chunk


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


def root_has_doctype(root: etree._Element) -> bool:
    """Whether the parsed document declared a DOCTYPE (checked after parsing too, in case the
    declaration hid in an encoding the byte scan did not read)."""
    return bool(root.getroottree().docinfo.doctype)


def sniff_root(data: bytes, limit: int = 64 * 1024) -> etree.QName | None:
    """The root element's qualified name, reading only the start of ``data``.

    Used for format detection: it tolerates errors later in the file (those
    are reported, with line numbers, by the real parse) and returns ``None``
    for anything that does not start like XML.  Entities are never expanded.
    """
    return sniff(data, limit)[0]


def sniff(data: bytes, limit: int = 64 * 1024) -> tuple[etree.QName | None, etree.XMLSyntaxError | None]:
    """The root element's qualified name (``None`` if none was read) and the XML error met in
    the start of ``data``, if any. A root read before the error counts: libxml2 raises the
    error of a chunk (nesting too deep, say) before handing out the events it read in it, and
    detection must still see the root, so that the format's parser reports the real error."""
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    stream = BytesIO(data[:limit])
    try:
        while chunk := stream.read(1024):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                return etree.QName(element), None
    except etree.XMLSyntaxError as exc:
        for _event, element in parser.read_events():
            return etree.QName(element), exc
        return None, exc
    return None, None
