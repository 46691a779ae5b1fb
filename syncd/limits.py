"""What the addon's sync API accepts, as its ``api_info`` says, and how a push is fitted to it.

The numbers are the server's (``api_info()["limits"]``), never a copy of them here: an older
server that does not say them gets lines as they are, and a line it refuses is isolated by
the engine. Long text fields are clipped with a visible marker; the full text stays in the
line's raw record, whose own long strings are clipped only when the record is over its cap.
Batches are cut by lines and by bytes, so that no call comes near Odoo's worker limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """The API's limits; ``None`` where the server does not say."""

    max_batch: int | None = None
    #: UTF-8 size of a push's ``lines`` as compact JSON (:func:`request_size`)
    max_request_bytes: int | None = None
    #: size of a line's ``raw`` as the server stores it (:func:`raw_size`)
    max_raw_chars: int | None = None
    max_source_chars: int | None = None
    #: payload key -> characters
    text_fields: dict = field(default_factory=dict)

    @classmethod
    def from_api_info(cls, info: dict) -> Limits:
        limits = info.get("limits")
        if not isinstance(limits, dict):
            return cls(max_batch=_count(info.get("max_batch")))
        text_fields = limits.get("text_fields")
        return cls(
            max_batch=_count(limits.get("max_batch", info.get("max_batch"))),
            max_request_bytes=_count(limits.get("max_request_bytes")),
            max_raw_chars=_count(limits.get("max_raw_chars")),
            max_source_chars=_count(limits.get("max_source_chars")),
            text_fields={name: _count(size) for name, size in text_fields.items() if _count(size)}
            if isinstance(text_fields, dict) else {},
        )


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def clip_marker(length: int) -> str:
    return f"… [clipped from {length} characters]"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with a marker that says so."""
    if len(text) <= limit:
        return text
    marker = clip_marker(len(text))
    if limit <= len(marker):
        return text[:limit]
    return text[:limit - len(marker)] + marker


def raw_size(raw) -> int:
    """A raw record's size as the server measures it (as it stores it: indented JSON)."""
    return len(json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False))


def _map_strings(value, change):
    """``value`` (JSON-like) with ``change`` applied to each string in it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


def _clip_strings(value, limit: int):
    return _map_strings(value, lambda text: clip(text, limit))


def _longest(value) -> int:
    if isinstance(value, str):
        return len(value)
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_longest(item) for item in items), default=0)


def fit_raw(raw, max_chars: int):
    """``raw`` with its longest strings clipped, as little as needed to fit ``max_chars``; as it
    is if it fits, or if even clipping every string would not make it fit."""
    if raw_size(raw) <= max_chars:
        return raw
    low, high = 0, _longest(raw)  # the longest string length that fits is in low..high
    if raw_size(_clip_strings(raw, low)) > max_chars:
        return raw
    while low < high:
        middle = (low + high + 1) // 2
        if raw_size(_clip_strings(raw, middle)) <= max_chars:
            low = middle
        else:
            high = middle - 1
    return _clip_strings(raw, low)


#: what no text the server stores may hold: control characters (C0, DEL, C1) and lone surrogates
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAKS = re.compile("\r\n?|[\n\x0b\x0c\x85]")
#: the line's text fields; only ``payment_ref`` (remittance text) may span lines
TEXT_FIELDS = ("payment_ref", "partner_name", "account_number", "structured_ref", "bank_ref", "end_to_end_id")
MULTILINE_FIELDS = ("payment_ref",)


def clean_text(text: str, multiline: bool = False) -> str:
    """``text`` as the server takes it: line breaks (CR LF, CR, form feeds...) become ``\n``
    where the text may span lines, else a space, as tabs do in a one-line text; every other
    control character (NUL, SOH, ESC, DEL, C1) and lone surrogate is dropped."""
    if not _REFUSED.search(text):
        return text
    text = _BREAKS.sub("\n" if multiline else " ", text)
    return _REFUSED.sub(lambda m: m.group() if multiline and m.group() in "\n\t" else
                        " " if m.group() == "\t" else "", text)


def fit_line(line: dict, limits: Limits) -> dict:
    """A statement line the server will take: control characters out of its texts, text fields
    clipped to their limits, and a raw record over its cap shrunk. Fields already within their
    limits are left as they are."""
    fitted = dict(line)
    for name in TEXT_FIELDS:
        if isinstance(fitted.get(name), str):
            fitted[name] = clean_text(fitted[name], multiline=name in MULTILINE_FIELDS)
    if fitted.get("raw") is not None:
        fitted["raw"] = _map_strings(fitted["raw"], lambda text: clean_text(text, multiline=True))
    for name, limit in limits.text_fields.items():
        value = fitted.get(name)
        if isinstance(value, str) and len(value) > limit:
            fitted[name] = clip(value, limit)
    if limits.max_raw_chars and fitted.get("raw") is not None:
        fitted["raw"] = fit_raw(fitted["raw"], limits.max_raw_chars)
    return fitted


def fit_source(source: dict, limits: Limits) -> dict:
    source = {key: clean_text(value) if isinstance(value, str) else value for key, value in source.items()}
    if not limits.max_source_chars:
        return source
    return {key: clip(value, limits.max_source_chars) if isinstance(value, str) else value
            for key, value in source.items()}


def line_size(line) -> int:
    """The UTF-8 size of one line as compact JSON."""
    return len(json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def request_size(lines: list) -> int:
    """The size the server checks against ``max_request_bytes``: ``lines`` as compact JSON."""
    return line_size(lines)


def batches(items: Iterable, max_lines: int, max_bytes: int | None, size=line_size) -> Iterator[list]:
    """``items`` (lines, or anything ``size`` measures as one) cut into lists of at most
    ``max_lines`` whose compact JSON list is at most ``max_bytes``; an item bigger than that on
    its own goes alone (the server then says what it makes of it)."""
    batch: list = []
    used = 2  # the list's brackets
    for item in items:
        cost = size(item) + (1 if batch else 0)  # and a comma before every item but the first
        if batch and (len(batch) >= max_lines or (max_bytes is not None and used + cost > max_bytes)):
            yield batch
            batch, used, cost = [], 2, cost - 1
        batch.append(item)
        used += cost
    if batch:
        yield batch
