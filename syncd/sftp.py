"""SFTP sources: a folder on the bank's (or an intermediary's) SFTP server.

Each pass connects with the configured key, verifies the server's host key against the
configured ``known_hosts`` (an unknown or changed key refuses the connection: never trust on
first use), lists the remote folder, and for each settled file: downloads it to the local
staging folder (``NAME.part`` then renamed, its size checked), reads and stores it, and only
then renames it on the server into ``archive/YYYY-MM-DD/`` (or ``quarantine/`` with
``NAME.reason.txt`` uploaded beside it). A crash between storing and renaming downloads the
file again next time; its transactions are known by key, so nothing is stored twice.
"""

from __future__ import annotations

import posixpath
import stat
import time
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import paramiko

from .config import SourceConfig
from .errors import SourceError
from .sources import free_name, wanted


class SftpSource:
    kind = "sftp"

    def __init__(self, config: SourceConfig):
        if config.remote is None or config.staging is None:
            raise SourceError(f"source {config.name}: not an SFTP source")
        self.config = config
        self.name = config.name
        self.remote = config.remote
        self.staging = config.staging
        self.client: paramiko.SSHClient | None = None
        self.sftp: paramiko.SFTPClient | None = None

    # -- connection ----------------------------------------------------------------------

    def where(self, path: str = "") -> str:
        r = self.remote
        return f"sftp://{r.user}@{r.host}:{r.port}{path}"

    def prepare(self):
        r = self.remote
        client = paramiko.SSHClient()
        try:
            client.load_host_keys(str(r.known_hosts))
        except OSError as exc:
            raise SourceError(f"source {self.name}: cannot read known_hosts {r.known_hosts}: {exc.strerror}") from None
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(r.host, port=r.port, username=r.user, key_filename=str(r.key_file), timeout=r.timeout,
                           banner_timeout=r.timeout, auth_timeout=r.timeout, allow_agent=False,
                           look_for_keys=False)
            self.sftp = client.open_sftp()
            self.sftp.get_channel().settimeout(r.timeout)
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise SourceError(f"source {self.name}: the host key of {r.host}:{r.port} is not the one in "
                              f"{r.known_hosts} ({exc.key.get_name()}): refusing to connect") from None
        except paramiko.SSHException as exc:
            client.close()
            if "not found in known_hosts" in str(exc):
                raise SourceError(f"source {self.name}: {r.host}:{r.port} is not in {r.known_hosts}: refusing to "
                                  "connect to an unknown host (add its key with ssh-keyscan, checked)") from None
            raise SourceError(f"source {self.name}: SFTP to {r.host}:{r.port} failed: {exc}") from None
        except (TimeoutError, OSError) as exc:
            client.close()
            raise SourceError(f"source {self.name}: cannot connect to {r.host}:{r.port}: "
                              f"{getattr(exc, 'strerror', None) or exc}") from None
        self.client = client
        for folder in (self.config.path, self.config.archive, self.config.quarantine):
            self._makedirs(str(folder))
        self.staging.mkdir(parents=True, exist_ok=True)

    def close(self):
        if self.client is not None:
            self.client.close()
        self.client = self.sftp = None

    def _makedirs(self, folder: str):
        parts = []
        while folder not in ("", "/"):
            parts.append(folder)
            folder = posixpath.dirname(folder)
        for part in reversed(parts):
            try:
                self._sftp.stat(part)
            except FileNotFoundError:
                self._sftp.mkdir(part)

    @property
    def _sftp(self) -> paramiko.SFTPClient:
        if self.sftp is None:
            raise SourceError(f"source {self.name}: not connected")
        return self.sftp

    # -- files -----------------------------------------------------------------------------

    def ready(self, now: float | None = None) -> list[str]:
        """The remote names to read now, oldest first."""
        now = time.time() if now is None else now
        folder = str(self.config.path)
        try:
            entries = self._sftp.listdir_attr(folder)
        except OSError as exc:
            raise SourceError(f"source {self.name}: cannot list {self.where(folder)}: {exc}") from None
        ready = []
        for entry in entries:
            name = entry.filename
            if not wanted(name, self.config.pattern) or not stat.S_ISREG(entry.st_mode or 0):
                continue
            if now - (entry.st_mtime or 0) >= self.config.settle:
                ready.append((entry.st_mtime or 0, name))
        return [name for _mtime, name in sorted(ready)]

    def fetch(self, name: str) -> Path:
        """Download a remote file to the staging folder (whole, or not at all)."""
        remote = posixpath.join(str(self.config.path), name)
        local = self.staging / name
        partial = local.with_name(name + ".part")
        try:
            size = self._sftp.stat(remote).st_size
            self._sftp.get(remote, str(partial))
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise SourceError(f"source {self.name}: cannot download {self.where(remote)}: {exc}") from None
        if partial.stat().st_size != size:
            partial.unlink()
            raise SourceError(f"source {self.name}: {self.where(remote)} changed while it was downloaded")
        partial.replace(local)
        return local

    def label(self, name: str) -> str:
        return self.where(posixpath.join(str(self.config.path), name))

    def archive(self, name: str, local: Path) -> str:
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        target = self._move(name, posixpath.join(str(self.config.archive), day))
        local.unlink(missing_ok=True)
        return self.where(target)

    def quarantine(self, name: str, local: Path, reason: str) -> str:
        target = self._move(name, str(self.config.quarantine))
        self._sftp.putfo(BytesIO((reason + "\n").encode("utf-8")), target + ".reason.txt")
        local.unlink(missing_ok=True)
        return self.where(target)

    def restore(self, where: str) -> str:
        """Put a quarantined file (``sftp://...`` as :meth:`quarantine` gave it) back in the inbox."""
        prefix = self.where()
        if not where.startswith(prefix):
            raise SourceError(f"source {self.name}: {where} is not on {prefix}")
        remote = where[len(prefix):]
        target = self._move(posixpath.basename(remote), str(self.config.path), folder=posixpath.dirname(remote))
        try:
            self._sftp.remove(remote + ".reason.txt")
        except FileNotFoundError:
            pass
        return self.where(target)

    def exists(self, where: str) -> bool:
        return self._exists(where[len(self.where()):])

    def _move(self, name: str, target_folder: str, folder: str | None = None) -> str:
        source = posixpath.join(folder or str(self.config.path), name)
        self._makedirs(target_folder)
        target = posixpath.join(target_folder, free_name(
            name, lambda candidate: self._exists(posixpath.join(target_folder, candidate))))
        try:
            self._sftp.rename(source, target)
        except OSError as exc:
            raise SourceError(f"source {self.name}: cannot move {self.where(source)} to {target}: {exc}") from None
        return target

    def _exists(self, path: str) -> bool:
        try:
            self._sftp.stat(path)
            return True
        except FileNotFoundError:
            return False
