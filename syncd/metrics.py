"""Prometheus metrics: transactions by state, files quarantined, statements whose balances do
not add up, each source's last run and success, push latency, RPC retries and errors by kind.
Served on a loopback port
(``[metrics] listen``) and/or written to a node_exporter textfile (``[metrics] textfile``)
after every pass.

prometheus_client is imported when a metric is first used, not with this module: ``syncd
--version`` and ``syncd parse`` use none (see :data:`METRICS`)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from .files import private_file, private_folder


class Metrics:
    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.transactions = Gauge("syncd_transactions", "Transactions in the state store, by state", ["state"],
                                  registry=r)
        self.quarantined = Gauge("syncd_quarantined_files", "Files waiting in quarantine", registry=r)
        self.unbalanced = Gauge("syncd_statements_unbalanced", "Statements read whose balances do not add up "
                                "(imported and flagged)", registry=r)
        self.last_run = Gauge("syncd_source_last_run_timestamp_seconds", "When a source was last read", ["source"],
                              registry=r)
        self.last_ok = Gauge("syncd_source_last_success_timestamp_seconds", "When a source was last read without "
                             "error", ["source"], registry=r)
        self.source_ok = Gauge("syncd_source_ok", "1 if the source's last pass had no error", ["source"], registry=r)
        self.push_seconds = Histogram("syncd_push_seconds", "Time of one push of a batch to Odoo", registry=r,
                                      buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
        self.retries = Counter("syncd_rpc_retries_total", "RPC calls to Odoo retried after a transient failure",
                               registry=r)
        self.errors = Counter("syncd_errors_total", "Errors by kind (input: a file refused; transient; "
                              "permanent: a batch refused)", ["kind"], registry=r)
        for kind in ("input", "transient", "permanent", "access"):
            self.errors.labels(kind)

    def refresh(self, counts: dict):
        """The gauges from the store's counts (:meth:`syncd.store.Store.counts`)."""
        from .states import State

        for state in State:
            self.transactions.labels(state.value).set(counts["states"].get(state.value, 0))
        self.quarantined.set(len(counts["quarantine"]))
        self.unbalanced.set(counts.get("statements_unbalanced", 0))
        for name, source in counts["sources"].items():
            for gauge, moment in ((self.last_run, source["last_run"]), (self.last_ok, source["last_ok"])):
                if moment:
                    gauge.labels(name).set(datetime.fromisoformat(moment).timestamp())
            self.source_ok.labels(name).set(0 if source["last_error"] else 1)

    def serve(self, address: tuple[str, int]):
        from prometheus_client import start_http_server

        start_http_server(address[1], address[0], registry=self.registry)

    def write(self, path: Path):
        from prometheus_client import write_to_textfile

        private_folder(path.parent)
        write_to_textfile(os.fspath(path), self.registry)  # written aside, then renamed: never half a file
        private_file(path)


class _OnFirstUse:
    """The process's one :class:`Metrics`, made when one of its attributes is first read."""

    def __init__(self):
        self._metrics: Metrics | None = None

    def __getattr__(self, name: str):
        if self._metrics is None:
            self._metrics = Metrics()
        return getattr(self._metrics, name)


METRICS: Metrics = _OnFirstUse()  # type: ignore[assignment]
