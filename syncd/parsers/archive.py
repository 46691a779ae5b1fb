"""Zip archives of statement files, opened in memory with caps, never trusted.

Banks and portals deliver statements zipped. An archive is a classic vehicle for a denial of
service (a zip bomb: a few kilobytes that inflate to gigabytes; thousands of members; zips in
zips), so before anything is parsed:

- the number of members, each member's size, the total size, the compression ratio and the
  nesting depth are capped; the sizes the archive declares are checked first, then the bytes
  actually inflated, read in chunks and stopped at the cap (declared sizes may lie);
- encrypted members are refused; member names are only labels (nothing is written to disk,
  so ``../`` in a name cannot escape anywhere);
- directories are skipped; a member that is itself a zip is opened the same way, one level
  deeper.

Every refusal names the archive, the member and the cap.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from syncd.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_members: int = 1000
    max_member_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 200  # inflated size / compressed size
    max_depth: int = 2  # an archive in an archive, no deeper


def is_zip(data: bytes) -> bool:
    """A zip archive of statements; an ``.xlsx`` workbook is a zip too, but one statement,
    which the sheet parser reads."""
    from syncd.parsers.sheets import is_xlsx

    return data.startswith(ZIP_MAGIC) and not is_xlsx(data)


def members(data: bytes, path: str, limits: Limits = Limits(), depth: int = 1) -> list[tuple[str, bytes]]:
    """``[(label, content)]`` of the archive's files, nested archives opened: labels read
    ``archive.zip!dir/member.xml``."""
    return list(iter_members(data, path, limits, depth))


def iter_members(data: bytes, path: str, limits: Limits = Limits(), depth: int = 1) -> Iterator[tuple[str, bytes]]:
    """:func:`members` one at a time, each inflated when the one before is done with, so that
    memory holds one member (the archive's declared sizes are checked before the first)."""
    if depth > limits.max_depth:
        raise InputError(path, "", f"archives nested more than {limits.max_depth} deep")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(path, "", f"not a readable zip archive: {exc}") from None
    if len(infos) > limits.max_members:
        raise InputError(path, "", f"the archive holds {len(infos)} files, more than the limit of {limits.max_members}")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        raise InputError(path, "", f"the archive inflates to {declared} bytes, more than the limit of "
                         f"{limits.max_total_bytes}")
    total = 0
    for info in infos:
        label = f"{path}!{info.filename}"
        if info.flag_bits & 0x1:
            raise InputError(label, "", "the member is encrypted")
        if info.file_size > limits.max_member_bytes:
            raise InputError(label, "", f"the member is {info.file_size} bytes, more than the limit of "
                             f"{limits.max_member_bytes}")
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise InputError(label, "", f"the member inflates {info.file_size // info.compress_size} times, more "
                             f"than the limit of {limits.max_ratio}: a zip bomb?")
        content = _read(archive, info, label, min(limits.max_member_bytes, limits.max_total_bytes - total), limits)
        total += len(content)
        if is_zip(content):
            yield from iter_members(content, label, limits, depth + 1)
        else:
            yield label, content


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, cap: int, limits: Limits) -> bytes:
    """The member's bytes, at most ``cap`` of them, whatever the archive declared."""
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(65536):
                size += len(chunk)
                if size > cap:
                    raise InputError(label, "", f"the member inflates past {cap} bytes (the archive declared "
                                     f"{info.file_size}): refused")
                if info.compress_size and size / info.compress_size > limits.max_ratio:
                    raise InputError(label, "", f"the member inflates more than {limits.max_ratio} times its "
                                     "compressed size: a zip bomb?")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise InputError(label, "", f"cannot inflate the member: {exc}") from None
    return b"".join(chunks)
