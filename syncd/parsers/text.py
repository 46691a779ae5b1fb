"""Decoding text statement files, whose encodings banks seldom declare and often get wrong.

The order: a byte order mark; the feed's configured encoding, strictly; UTF-8 when the bytes
are valid UTF-8 (whatever a header claims: text that decodes as UTF-8 is almost surely UTF-8);
else the code page the file declares, else the format's usual one (cp1252 for Western banks,
GB18030 for Chinese bills). A single-byte guess that yields the typographic signs cp1252 keeps
where other code pages keep letters (cp852's "ł" reads as "ˆ") is refused, naming the line,
rather than names silently mangled.
"""

from __future__ import annotations

import codecs
from datetime import date

from syncd.errors import InputError

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# the cp1252 signs at 0x80-0x9F that stand where other code pages keep letters
_UNLIKELY_IN_CP1252 = frozenset("ƒ„†‡ˆ‰‹›˜™•")
HINT = "set the feed's encoding (for example cp852 or cp1250 for Central European banks)"


def decode(data: bytes, path: str, encoding: str | None = None, declared: str = "", fallback: str = "cp1252") -> str:
    """``data`` as text, or an :class:`InputError` naming the line where a guess went wrong."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], encoding or name
            break
    if encoding:
        return _strict(data, path, encoding, f"is not valid {encoding}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = declared if declared and _codec(declared) not in ("utf-8", "ascii", "") else fallback
    text = _strict(data, path, guess, f"is neither UTF-8 nor {guess}")
    if _codec(guess) == "cp1252":
        odd = next((i for i, char in enumerate(text) if char in _UNLIKELY_IN_CP1252), None)
        if odd is not None:
            line = text.count("\n", 0, odd) + 1
            raise InputError(path, f"line {line}", f"{text[odd]!r} read as {guess} is unlikely in a statement: {HINT}")
    return text


def _codec(name: str) -> str:
    """Python's name for an encoding; empty for one it does not know (a header's invention)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _strict(data: bytes, path: str, encoding: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise InputError(path, "", f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, f"line {line}", f"byte {data[exc.start]:#04x} {what}: {HINT}") from None


def head_lines(data: bytes, size: int = 16384) -> bytes:
    """The first ``size`` bytes cut at a line end, so that a character is never split (a cut
    UTF-8 sequence would make the guess fall back to another code page)."""
    if len(data) <= size:
        return data
    head = data[:size]
    end = head.rfind(b"\n")
    return head[: end + 1] if end > 0 else head


def yymmdd(text: str, path: str, where: str) -> date:
    """A SWIFT/BAI date (``260120``): this century."""
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise InputError(path, where, f"{text!r} is not a valid date (YYMMDD)") from None
