"""``syncd run``: read every configured source on its interval, store what arrives, push it to
Odoo and reconcile it, until told to stop.

Each pass over a source: every ready file is read and stored (all of a file or nothing of it)
and only then moved to the archive; a refused file is moved to quarantine with its reason and
recorded, and the other files go on. Then everything queued is pushed and reconciled. A crash
at any point loses nothing: a file still in the inbox is read again (its transactions are
known by key, so nothing is stored twice), and what was stored but not confirmed by Odoo is
pushed again, idempotently.

Signals: SIGTERM and SIGINT finish the current file or batch and exit cleanly; SIGHUP reloads
the configuration between passes. Odoo unreachable is the source's error until the next pass;
a revoked API key stops the daemon (exit status 77), as every source would fail the same way.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from .engine import Importer, ImportSummary
from .errors import AccessDeniedError, InputError, SyncdError, TransientError, UserError
from .files import private_file
from .logs import redact
from .metrics import METRICS
from .reading import file_sha256, open_file
from .sources import make_source
from .store import QuarantineRecord, SourceRecord, State, StoreConflict

log = logging.getLogger("syncd.daemon")


@dataclass
class PassResult:
    source: str
    files: int = 0
    quarantined: int = 0
    error: str = ""


class Stop(Exception):
    """The daemon must stop now with ``exit_code``."""

    def __init__(self, exit_code: int, message: str):
        super().__init__(message)
        self.exit_code = exit_code


class Daemon:
    def __init__(self, load_config, store, sink_factory, reconcile: bool = True):
        """``load_config()`` gives the configuration (again on SIGHUP); ``sink_factory(config)``
        the Odoo sink, or ``None`` to only read and store; ``reconcile`` False only pushes."""
        self.reconcile = reconcile
        self.load_config = load_config
        self.config = load_config()
        self.store = store
        self.sink_factory = sink_factory
        self.stopping = False
        self.reload = False
        self.wake = threading.Event()
        self.due: dict[str, float] = {}

    # -- signals -------------------------------------------------------------------------

    def install_signals(self):
        def stop(signum, _frame):
            log.info("%s received: finishing the current work, then exiting", signal.Signals(signum).name)
            self.stopping = True
            self.wake.set()

        def hangup(_signum, _frame):
            log.info("SIGHUP received: reloading the configuration after the current pass")
            self.reload = True
            self.wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, hangup)

    # -- the loop ------------------------------------------------------------------------

    def run(self, once: bool = False, only: tuple[str, ...] = ()) -> int:
        """Passes over the due sources until stopped (or one pass with ``once``); the exit status."""
        if self.config.metrics.listen and not once:
            METRICS.serve(self.config.metrics.listen)
            log.info("metrics on http://%s:%d/metrics", *self.config.metrics.listen)
        try:
            while not self.stopping:
                if self.reload:
                    self._reload()
                sources = self._selected(only)
                now = time.monotonic()
                for name in sources:
                    if self.stopping:
                        break
                    if once or self.due.get(name, 0) <= now:
                        try:
                            self.run_pass(name)
                        except TransientError as exc:  # the state store itself, say: next pass
                            METRICS.errors.labels("transient").inc()
                            log.error("source %s: pass abandoned: %s", name, exc)
                        self.due[name] = time.monotonic() + self.config.sources[name].interval
                if once:
                    break
                pause = min((self.due[name] for name in sources), default=now + 60) - time.monotonic()
                self.wake.wait(max(pause, 0.05))
                self.wake.clear()
        except Stop as stop:
            log.error("%s", stop)
            return stop.exit_code
        log.info("stopped")
        return 0

    def _selected(self, only) -> list[str]:
        unknown = [name for name in only if name not in self.config.sources]
        if unknown:
            known = ", ".join(self.config.sources) or "none"
            raise UserError(f"unknown source(s) {', '.join(unknown)}; configured: {known}")
        names = list(only) or list(self.config.sources)
        if not names:
            raise UserError("no sources configured: add a [sources.NAME] table (see deploy/syncd.toml.example)")
        return names

    def _reload(self):
        self.reload = False
        try:
            config = self.load_config()
        except SyncdError as exc:
            log.error("configuration not reloaded, the previous one stays: %s", exc)
            return
        if config.state_url != self.config.state_url:
            log.error("configuration reloaded, but the state store stays %s until a restart", self.config.state_store)
        self.config = config
        self.due = {name: due for name, due in self.due.items() if name in config.sources}
        log.info("configuration reloaded: %d source(s)", len(config.sources))

    # -- one pass over one source ----------------------------------------------------------

    def run_pass(self, name: str) -> PassResult:
        source = make_source(self.config.sources[name])
        result = PassResult(name)
        summary = ImportSummary()
        sink = None
        try:
            try:
                source.prepare()
                importer = Importer(self.config, self.store, None)
                for item in source.ready():
                    if self.stopping:
                        break
                    try:
                        path = source.fetch(item)
                        try:
                            with open_file(path, source.config.format, encoding=source.config.encoding,
                                           regular_only=True) as parsed:
                                importer.record(parsed, summary, source=name)
                        except InputError as exc:
                            if not path.exists():
                                raise FileNotFoundError(path) from None
                            self._quarantine(source, item, path, exc)
                            result.quarantined += 1
                            continue
                        private_file(path)  # statements are for syncd's eyes once it holds them
                        source.archive(item, path)
                    except (FileNotFoundError, StoreConflict):
                        # another instance sharing the store took this file first
                        log.info("source %s: %s is handled by another syncd", name, source.label(item))
                        continue
                    result.files += 1
                    log.info("source %s: %s stored and archived", name, path.name)
            finally:
                source.close()
            sink = self.sink_factory(self.config)
            if sink is not None and not self.stopping:
                importer.sink = sink
                importer.stopping = lambda: self.stopping
                importer.connect()
                importer.push(summary)
                if self.reconcile:
                    importer.reconcile(summary)
            result.error = "; ".join(summary.errors)
        except AccessDeniedError as exc:
            METRICS.errors.labels("access").inc()
            result.error = str(exc)
            self._record(result)
            raise Stop(exc.exit_code, f"source {name}: {exc}; syncd stops until the robot's key is fixed") from None
        except TransientError as exc:
            METRICS.errors.labels("transient").inc()
            result.error = str(exc)
            log.warning("source %s: %s", name, exc)
        except UserError as exc:
            result.error = str(exc)
            self._record(result)
            raise Stop(exc.exit_code, f"source {name}: {exc}") from None
        self._record(result)
        if summary.files_read or summary.created_in_odoo or summary.already_in_odoo or summary.reconciled:
            for line in summary.lines():
                if not line.startswith("error:"):
                    log.info("source %s: %s", name, line)
        return result

    def _quarantine(self, source, item, path, exc: InputError):
        """Record the refusal, then move the file: after a crash between the two the file is
        still in the inbox, is refused again and updates the same record."""
        sha256, label = file_sha256(path), source.label(item)
        with self.store.transaction() as session:
            record = next(iter(self.store.quarantined(session, [source.name], sha256=sha256, path=label)), None)
            if record is None:
                record = QuarantineRecord(source=source.name, name=path.name, path=label, sha256=sha256, reason="")
                session.add(record)
            record.reason = str(exc)[:2000]
            session.flush()
            record_id = record.id
        private_file(path)
        target = source.quarantine(item, path, str(exc))
        with self.store.transaction() as session:
            session.get(QuarantineRecord, record_id).path = target
        METRICS.errors.labels("input").inc()
        log.error("source %s: %s quarantined: %s", source.name, path.name, exc)

    def _record(self, result: PassResult):
        now = datetime.now(timezone.utc)
        with self.store.transaction() as session:
            record = session.get(SourceRecord, result.source)
            if record is None:
                record = SourceRecord(name=result.source, kind=self.config.sources[result.source].kind,
                                      files_done=0, files_quarantined=0, last_error="")
                session.add(record)
            record.last_run_at = now
            record.files_done += result.files
            record.files_quarantined += result.quarantined
            record.last_error = redact(result.error)[:2000]
            if not result.error:
                record.last_ok_at = now
        if not (self.config.metrics.listen or self.config.metrics.textfile):
            return  # the store's counts are not free: only for someone who reads them
        METRICS.refresh(self.store.counts())
        if self.config.metrics.textfile:
            try:
                METRICS.write(self.config.metrics.textfile)
            except OSError as exc:
                log.error("metrics not written to %s: %s", self.config.metrics.textfile, exc.strerror)


def retry_quarantined(config, store, only=()) -> tuple[int, int]:
    """Quarantined files back to their inbox, quarantined transactions back to the queue: the
    counts."""
    files = transactions = 0
    opened: dict = {}
    try:
        with store.transaction() as session:
            for record in store.quarantined(session, only):
                config_of = config.sources.get(record.source)
                if config_of is None:
                    log.warning("quarantined %s stays: its source %s is no longer configured", record.path,
                                record.source)
                    continue
                if record.source not in opened:
                    opened[record.source] = make_source(config_of)
                    opened[record.source].prepare()
                source = opened[record.source]
                if source.exists(record.path):
                    source.restore(record.path)
                    files += 1
                else:
                    log.warning("quarantined %s is gone; forgetting it", record.path)
                session.delete(record)
            for transaction in store.quarantined_transactions(session, only):
                transaction.state = State.QUEUED.value
                transaction.reason = ""
                transactions += 1
    finally:
        for source in opened.values():
            source.close()
    return files, transactions
