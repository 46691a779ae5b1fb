"""Decoding text statement files, whose encodings banks seldom declare and often get wrong.

The order: a byte order mark; the feed's configured encoding, strictly; UTF-8 when the bytes
are valid UTF-8 (whatever a header claims: text that decodes as UTF-8 is almost surely UTF-8);
else the code page the file declares, else the format's usual one (cp1252 for Western banks,
GB18030 for Chinese bills). A single-byte guess that yields the typographic signs cp1252 keeps
where other code pages keep letters (cp852's "ł" reads as "ˆ") is refused, naming the line,
rather than names silently mangled.

A format may instead ask for the legacy code page to be detected (``fallback=DETECT``): of the
single-byte code pages banks use (cp1252, cp1250, ISO 8859-2, cp852, cp850, cp437, cp1251,
cp866), the one whose reading of the file's bytes above 0x7F gives the most letters of one
language (German, Dutch, French, Polish, Czech, Hungarian, Nordic, Russian...), with symbols,
box drawings and control characters counting against it (punctuation and currency signs are
neutral: "—" and "€" are common in Western statements; so is the byte 0xFF, a bank's filler
for empty fields, which reads as "ÿ" in cp1252); on a tie the earlier one in that list. The
file is read once more for that, in chunks, keeping only a count of each byte.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

from syncd.errors import InputError

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# the cp1252 signs at 0x80-0x9F that stand where other code pages keep letters
_UNLIKELY_IN_CP1252 = frozenset("ƒ„†‡ˆ‰‹›˜™•")
_CHUNK = 1 << 20
#: ``fallback`` for a format whose legacy code page is detected (see the module's docstring)
DETECT = "detect"
_CANDIDATES = ("cp1252", "cp1250", "iso-8859-2", "cp852", "cp850", "cp437", "cp1251", "cp866")
_LANGUAGES = (
    "äöüß", "éëïèöüáóç", "àâçéèêëîïôûùüÿœæ", "áéíñóúü", "àèéìíòóù", "áâãàçéêíóôõú", "åäöæøéü",
    "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "ăâîșțşţ", "čćđšž", "çğıöşü",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
)
_ASCII = bytes(range(128))
HINT = "set the feed's encoding (for example cp852 or cp1250 for Central European banks)"


def decode(data: bytes, path: str, encoding: str | None = None, declared: str = "", fallback: str = "cp1252") -> str:
    """``data`` as text, or an :class:`InputError` naming the line where a guess went wrong."""
    return _choose(io.BytesIO(data), path, encoding, declared, fallback, keep=True)[2]


def choose_encoding(handle: BinaryIO, path: str, encoding: str | None = None, declared: str = "",
                    fallback: str = "cp1252") -> tuple[str, int]:
    """The codec that reads the whole of ``handle`` without error, and the length of its byte
    order mark; the file is read once, in chunks, and left at its start."""
    codec, bom, _text = _choose(handle, path, encoding, declared, fallback, keep=False)
    return codec, bom


def _choose(handle: BinaryIO, path: str, encoding: str | None, declared: str, fallback: str,
            keep: bool) -> tuple[str, int, str]:
    """The codec, the length of the byte order mark and, with ``keep``, the text it reads."""
    handle.seek(0)
    head = handle.read(4)
    bom = 0
    for mark, name in _BOMS:
        if head.startswith(mark):
            bom, encoding = len(mark), encoding or name
            break
    if encoding:
        return encoding, bom, _check(handle, path, bom, encoding, f"is not valid {encoding}", keep=keep)
    try:
        return "utf-8", bom, _check(handle, path, bom, "utf-8", "", keep=keep)
    except UnicodeDecodeError:
        pass
    if declared and _codec(declared) not in ("utf-8", "ascii", ""):
        guess = declared
    elif fallback == DETECT:
        guess = _detect(handle, bom)
    else:
        guess = fallback
    text = _check(handle, path, bom, guess, f"is neither UTF-8 nor {guess}", odd=_codec(guess) == "cp1252", keep=keep)
    return guess, bom, text


def _detect(handle: BinaryIO, bom: int) -> str:
    """The legacy code page that reads the bytes above 0x7F of ``handle`` best."""
    counts: dict[int, int] = {}
    handle.seek(bom)
    try:
        while chunk := handle.read(_CHUNK):
            high = chunk.translate(None, _ASCII)
            for byte in set(high):
                counts[byte] = counts.get(byte, 0) + high.count(byte)
    finally:
        handle.seek(0)
    best, best_score = _CANDIDATES[0], None
    for codec in _CANDIDATES:
        score = _score(codec, counts)
        if score is not None and (best_score is None or score > best_score):
            best, best_score = codec, score
    return best


def _score(codec: str, counts: dict[int, int]) -> float | None:
    """How well ``codec`` reads bytes counted so: the occurrences of letters of the language it
    reads best, less half a point for other letters, two for each mathematical or modifier sign and
    box drawing, one for other symbols, five for each control character; ``None`` if a byte is
    not in it."""
    letters: dict[str, int] = {}
    score = 0.0
    for byte, count in counts.items():
        if byte == 0xFF:  # a filler byte (PKO BP's empty :86: subfields), not text: neither for nor against
            continue
        try:
            char = bytes((byte,)).decode(codec)
        except UnicodeDecodeError:
            return None
        category = unicodedata.category(char)
        if char == "€":  # as common in European statements as any letter
            score += count
        elif category[0] == "L":
            letters[char.lower()] = letters.get(char.lower(), 0) + count
        elif category == "Cc":
            score -= 5 * count
        elif category in ("Sm", "Sk") or "\u2500" <= char <= "\u25ff":  # ÷ ± ˆ ˘, box drawings
            score -= 2 * count
        elif category in ("So", "No"):  # © ° ¾
            score -= count
        # punctuation, currency signs and spaces (— „ € ¢) are neither for nor against
    best = max(sum(letters.get(char, 0) for char in language) for language in _LANGUAGES)
    return score + best - 0.5 * (sum(letters.values()) - best)


def _check(handle: BinaryIO, path: str, bom: int, codec: str, what: str, odd: bool = False,
           keep: bool = False) -> str:
    """Decode ``handle`` with ``codec``: an :class:`InputError` naming the line of the first
    byte that does not decode (or, without ``what``, the bare ``UnicodeDecodeError``), and with
    ``odd`` of the first sign a cp1252 guess makes of another code page's letter. The text
    with ``keep`` (a whole file's, read once), else nothing (a stream's, read again later)."""
    try:
        decoder = codecs.getincrementaldecoder(codec)()
    except LookupError:
        raise InputError(path, "", f"unknown encoding {codec!r}") from None
    handle.seek(bom)
    lines = 0  # line ends decoded so far
    parts: list[str] = []
    try:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                if not what:
                    raise
                line = lines + exc.object[: exc.start].count(b"\n") + 1
                raise InputError(path, f"line {line}",
                                 f"byte {exc.object[exc.start]:#04x} {what}: {HINT}") from None
            if odd:
                at = next((i for i, char in enumerate(text) if char in _UNLIKELY_IN_CP1252), None) \
                    if _UNLIKELY_IN_CP1252.intersection(text) else None
                if at is not None:
                    line = lines + text.count("\n", 0, at) + 1
                    raise InputError(path, f"line {line}",
                                     f"{text[at]!r} read as {codec} is unlikely in a statement: {HINT}")
            lines += text.count("\n")
            if keep:
                parts.append(text)
            if not chunk:
                return "".join(parts)
    finally:
        handle.seek(0)


def iter_lines(handle: BinaryIO, codec: str, bom: int = 0, *, path: str = "",
               max_line: int | None = None) -> Iterator[str]:
    """The lines of ``handle`` decoded with ``codec`` (checked by :func:`choose_encoding`),
    without their line ends, read in chunks. CRLF, LF and CR all end a line. A line longer
    than ``max_line`` characters is an :class:`InputError` naming it, raised before more of it
    is read: one endless line would otherwise be held whole."""
    decoder = codecs.getincrementaldecoder(codec)()
    handle.seek(bom)
    rest = ""
    number = 0  # lines yielded
    while True:
        chunk = handle.read(_CHUNK)
        text = rest + decoder.decode(chunk, final=not chunk)
        if not chunk and not text:
            return
        if chunk and text.endswith("\r"):
            rest, text = "\r", text[:-1]  # its LF may be in the next chunk
        else:
            rest = ""
        lines = text.split("\n")
        if chunk:
            tail = lines.pop()
            if "\r" in tail:  # lines ended by CR alone: only the last one is incomplete
                complete, tail = tail.rsplit("\r", 1)
                lines.append(complete + "\r")
            rest = tail + rest
            if max_line is not None and len(rest) > max_line + 1:
                ended = sum(line.removesuffix("\r").count("\r") + 1 for line in lines)
                raise _too_long(path, number + ended + 1, max_line)
        for line in lines:
            if "\r" in line:
                for part in line.removesuffix("\r").split("\r"):
                    number += 1
                    if max_line is not None and len(part) > max_line:
                        raise _too_long(path, number, max_line)
                    yield part
            else:
                number += 1
                if max_line is not None and len(line) > max_line:
                    raise _too_long(path, number, max_line)
                yield line
        if not chunk:
            return


def check_lines(data: bytes, path: str, max_line: int, unit: str = "record"):
    """Refuse, before ``data`` is decoded (and copied as text, lines, cells), a line longer than
    ``max_line`` characters: counted in bytes, four to a character at most, so that no
    encoding makes a good line look too long (UTF-16's bytes can only cut lines shorter)."""
    limit = 4 * max_line
    if len(data) <= limit:
        return
    start, line, find = 0, 1, data.find
    while start < len(data):
        end = find(b"\n", start)
        end = len(data) if end < 0 else end
        stop = end - 1 if data[end - 1:end] == b"\r" else end  # without the CR of a CRLF
        if stop - start > limit:  # one long line, or a run of lines ended by CR alone
            at = start
            while True:
                cr = find(b"\r", at, stop)
                if (stop if cr < 0 else cr) - at > limit:
                    raise _too_long(path, line, max_line, unit)
                if cr < 0:
                    break
                at, line = cr + 1, line + 1
        start, line = end + 1, line + 1


def _too_long(path: str, line: int, max_line: int, unit: str = "field") -> InputError:
    return InputError(path, f"line {line}", f"the line is longer than the limit of {max_line:,} characters for "
                      f"one {unit}: the file is refused")


def _codec(name: str) -> str:
    """Python's name for an encoding; empty for one it does not know (a header's invention)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


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
