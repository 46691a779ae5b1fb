"""Inbox entries that are not regular files: skipped with one warning each, links never
followed, FIFOs never opened, even when a file is swapped for one after it was listed."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from syncd.config import SourceConfig
from syncd.errors import InputError
from syncd.reading import open_file
from syncd.sources import InboxSource

from .camt_builder import Entry, build_camt053

OLD = time.time() - 3600


def inbox(tmp_path: Path) -> InboxSource:
    path = tmp_path / "inbox"
    path.mkdir()
    config = SourceConfig(name="bank", kind="inbox", path=path, archive=path / "archive",
                          quarantine=path / "quarantine", settle=0)
    source = InboxSource(config)
    source.prepare()
    return source


def statement() -> bytes:
    from decimal import Decimal

    return build_camt053("GB29NWBK60161331926819", [Entry(Decimal("10.00"), "inv 1", bank_ref="r1")])


def skipped_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "syncd.sources" and r.levelno == logging.WARNING]


def test_links_fifos_sockets_and_directories_are_skipped_with_one_line_each(tmp_path, caplog):
    source = inbox(tmp_path)
    folder = source.config.path
    secret = tmp_path / "secret.xml"
    secret.write_bytes(statement())
    (folder / "good.xml").write_bytes(statement())
    (folder / "link.xml").symlink_to(secret)
    (folder / "inside.xml").symlink_to(folder / "good.xml")  # a link inside the inbox is not followed either
    os.mkfifo(folder / "pipe.xml")
    (folder / "folder.xml").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.xml"))
    try:
        caplog.set_level(logging.INFO, logger="syncd.sources")
        assert source.ready() == [folder / "good.xml"]
        lines = skipped_lines(caplog)
        assert len(lines) == 5, lines
        reasons = {line.split(": ")[1].removeprefix(f"skipped {folder}/"): line for line in lines}
        assert f"a symbolic link to {secret} (links are not followed)" in reasons["link.xml"]
        assert "a symbolic link to" in reasons["inside.xml"]
        assert "a named pipe (FIFO), not a regular file" in reasons["pipe.xml"]
        assert "a directory" in reasons["folder.xml"] and "a socket" in reasons["sock.xml"]
        assert all(line.startswith("source bank: skipped ") for line in lines)
        # the archive and quarantine folders inside the inbox are the source's own: no line

        # the next polls (the daemon makes a new source for each) say nothing more...
        caplog.clear()
        for _ in range(3):
            assert InboxSource(source.config).ready() == [folder / "good.xml"]
        assert skipped_lines(caplog) == []
        # ...until one goes away and comes back, or a new one comes
        (folder / "pipe.xml").unlink()
        InboxSource(source.config).ready()
        os.mkfifo(folder / "pipe.xml")
        (folder / "other.xml").symlink_to("/etc/passwd")
        InboxSource(source.config).ready()
        assert sorted(line.split()[3] for line in skipped_lines(caplog)) == [
            f"{folder}/other.xml:", f"{folder}/pipe.xml:"]
    finally:
        server.close()


def test_a_file_swapped_for_a_link_or_a_fifo_after_listing_is_refused_without_blocking(tmp_path):
    source = inbox(tmp_path)
    folder = source.config.path
    path = folder / "statement.xml"
    path.write_bytes(statement())
    os.utime(path, (OLD, OLD))
    assert source.ready() == [path]
    secret = tmp_path / "secret.xml"
    secret.write_bytes(statement())

    path.unlink()
    path.symlink_to(secret)
    with pytest.raises(InputError, match="statement.xml: is a symbolic link: links are not followed"), \
            open_file(path, regular_only=True):
        pass

    path.unlink()
    os.mkfifo(path)
    outcome = []

    def read():
        try:
            with open_file(path, regular_only=True):
                outcome.append("read")
        except InputError as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)  # a blocking open would wait for a writer forever
    if reader.is_alive():
        with open(path, "wb"):  # let the stuck thread go, then fail
            pass
        pytest.fail("opening a FIFO blocked")
    assert outcome == [f"{path}: is a named pipe (FIFO), not a regular file"]


def test_a_link_named_on_the_command_line_is_still_read(tmp_path):
    target = tmp_path / "statement.xml"
    target.write_bytes(statement())
    link = tmp_path / "latest.xml"
    link.symlink_to(target)
    with open_file(link) as parsed:
        assert len(list(parsed.transactions)) == 1
