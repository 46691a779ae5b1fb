"""Statement parsers and the registry that picks one for a file.

Every parser is an object with

- ``name``: the format name users pass as ``--format`` (e.g. ``camt053``);
- ``description``: what the format is, for error messages;
- ``detect(data: bytes) -> bool``: whether the *content* looks like this format
  (file names lie: banks send ``.xml``, ``.txt`` and ``.dat`` alike);
- ``parse(data: bytes, path: str, *, max_bytes=..., encoding=None) -> list[Statement]``;
  ``encoding`` is the code page of a text format when the feed knows it (XML declares its own);
- optionally ``stream(handle, path, *, max_bytes=..., encoding=None)``, an iterator over each
  ``Transaction`` as it is read and each ``Statement`` (without its transactions) once its end
  is reached and checked, which may raise :class:`InputError` at any point (CAMT and MT940
  have one; :func:`syncd.records.collect` turns a stream into ``parse``'s statements).

Every parser keeps to the caps of :mod:`syncd.caps` (file, field, record), refusing a file
that breaks one with the line or element. Parsers register here in ``PARSERS``; detection
tries them in registration order, most specific first, and the CSV profiles (``csv:NAME``,
bundled and the configuration's) last.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO, Protocol

from syncd.errors import InputError, UserError
from syncd.parsers.bai2 import BAI2
from syncd.parsers.camt import CAMT052, CAMT053, CAMT054
from syncd.parsers.csvprofile import CsvProfileParser, Profile, bundled_profiles
from syncd.parsers.headers import HeaderCsvParser
from syncd.parsers.mt940 import MT940
from syncd.parsers.ofx import OFX
from syncd.parsers.providers import ADYEN, PAYPAL, STRIPE
from syncd.parsers.qif import QIF
from syncd.parsers.sheets import SheetParser
from syncd.records import Statement
from syncd.safexml import DEFAULT_MAX_BYTES, reject_declarations, sniff


class Parser(Protocol):
    name: str
    description: str

    def detect(self, data: bytes) -> bool: ...

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]: ...


PARSERS: dict[str, Parser] = {
    parser.name: parser for parser in (CAMT053, CAMT054, CAMT052, MT940, OFX, BAI2, STRIPE, PAYPAL, ADYEN, QIF)
}


def register_profile(profile: Profile) -> Parser:
    """Make a CSV profile a format (``csv:NAME``); a user's profile replaces a bundled one of
    the same name. CSV profiles are tried last: their detection is the loosest."""
    parser = CsvProfileParser(profile)
    PARSERS[parser.name] = parser
    return parser


for _profile in bundled_profiles():
    register_profile(_profile)


def _csv_profiles():
    return [parser.profile for parser in PARSERS.values() if isinstance(parser, CsvProfileParser)]


# spreadsheets through the CSV profiles; CSV files no profile knows by their header row (it
# detects only what no other parser does)
PARSERS["sheet"] = SheetParser(_csv_profiles)
PARSERS["csv"] = HeaderCsvParser(lambda: list(PARSERS.values()))


def register_user_profiles(tables: dict, where: str = "[csv_profiles]"):
    """The configuration's CSV profiles (``[csv_profiles.NAME]`` tables), each checked."""
    for name, table in tables.items():
        register_profile(Profile.from_mapping(name, table, f"{where}.{name}"))


def get_parser(name: str) -> Parser:
    """The parser registered as ``name``, or ``NAME:OPTION`` for a parser that takes an option
    (``qif:EUR``, ``paypal:net``: its ``configured(option)``); a :class:`UserError` listing
    the known ones otherwise."""
    if name in PARSERS:
        return PARSERS[name]
    base, _sep, option = name.partition(":")
    configured = getattr(PARSERS.get(base), "configured", None)
    if option and configured is not None:
        return configured(option)
    known = ", ".join(["auto", *PARSERS])
    raise UserError(f"unknown statement format {name!r}; known formats: {known} "
                    "(qif:CURRENCY, and paypal, stripe or adyen :net or :separate, take an option)")


def _describe(data: bytes) -> str:
    """What the content looks like, so "unknown format" says what we actually saw."""
    if not data.strip():
        return "the file is empty"
    root, error = sniff(data)
    malformed = f"malformed XML: line {error.lineno}: {error.msg}" if error is not None else ""
    if root is not None:
        where = f"in namespace {root.namespace}" if root.namespace else "without namespace"
        return f"root element <{root.localname}> {where}" + (f"; {malformed}" if malformed else "")
    if malformed and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return malformed
    head = data[:40].decode("utf-8", errors="replace")
    return f"not XML; starts with {head!r}"


def detect_format(data: bytes, path: str) -> Parser:
    """The first registered parser whose ``detect`` accepts ``data``."""
    for parser in PARSERS.values():
        if parser.detect(data):
            return parser
    # libxml2 refuses some entity bombs while we merely sniff the root element;
    # say what the file really is rather than "unknown format".
    reject_declarations(data, path)
    wanted = " or ".join(parser.description for parser in PARSERS.values())
    raise InputError(path, "", f"unknown format: not a {wanted} ({_describe(data)})")


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is (from its ``st_mode``), or ``""`` for a regular file."""
    for test, kind in ((stat.S_ISREG, ""), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a regular file"


def open_input(path: str, *, regular_only: bool = False) -> BinaryIO:
    """A statement file opened for reading, or an :class:`InputError` saying why not.

    The open never blocks (a FIFO without a writer would hang a daemon forever). With
    ``regular_only``, for files found in a folder others may write to (an inbox), a symbolic
    link is not followed (it could point anywhere) and anything but a regular file is
    refused, checked on the file opened rather than on its name (it may be swapped meanwhile).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if regular_only:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a directory, not a file") from None
    except OSError as exc:
        if regular_only and exc.errno == errno.ELOOP:
            raise InputError(path, "", "is a symbolic link: links are not followed in an inbox") from None
        raise InputError(path, "", f"cannot read the file: {exc.strerror or exc}") from None
    kind = file_kind(os.fstat(fd).st_mode)
    if kind == "a directory" or (kind and regular_only):
        os.close(fd)
        raise InputError(path, "", f"is {kind}, not a regular file")
    if kind:  # a pipe named on the command line (``<(...)``): read it as it comes
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_bytes(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's content; the size cap is checked before reading."""
    path = os.fspath(path)
    with open_input(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise InputError(path, "", f"file is {size} bytes, more than the limit of {max_bytes} bytes")
        return handle.read(max_bytes + 1)


def parse_bytes(
    data: bytes, path: str, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None
) -> tuple[Parser, list[Statement]]:
    """The parser that reads ``data`` (given or detected) and the statements it found."""
    parser = detect_format(data, path) if format == "auto" else get_parser(format)
    return parser, parser.parse(data, path, max_bytes=max_bytes, encoding=encoding)


def parse_file(
    path: str | os.PathLike, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None
) -> list[Statement]:
    """Read and parse one statement file."""
    if format != "auto":
        get_parser(format)  # an unknown name is an error before any reading
    path = os.fspath(path)
    return parse_bytes(read_bytes(path, max_bytes), path, format, max_bytes, encoding)[1]
