"""Files and folders that syncd makes are its user's alone: the state store, its lock, the
metrics textfile, quarantined and archived statements hold payer names, IBANs and remittance
text. The CLI sets the umask to 0077 at start-up; these make sure of it wherever syncd runs
(as a library, under another umask) and tighten what an older syncd left readable."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """``path`` made with the folders it lacks, each of those owner-only. Folders already there
    are left as they are: their mode is someone's choice (``/var/lib``, a shared inbox)."""
    missing = []
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # made meanwhile by another instance
        os.chmod(folder, PRIVATE_FOLDER)
    return Path(path)


def private_file(path: Path):
    """Make a file owner-only, if it is there and this user's (a file another user dropped in
    an inbox stays theirs: the owner-only folder it is moved to keeps it from others)."""
    try:
        os.chmod(path, PRIVATE_FILE)
    except (FileNotFoundError, PermissionError):
        pass


def create_private(path: Path) -> int:
    """Open (creating it owner-only if new) a file for reading and appending: its descriptor."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    private_file(path)
    return descriptor
