"""The ``syncd`` command line."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile

import click

from . import __version__, logs
from .config import ENVIRONMENT, load_config
from .errors import SyncdError
from .lock import instance_lock
from .parsers import PARSERS, register_user_profiles
from .reading import open_file, statement_notes
from .records import Statement, join_pages

FORMAT_HELP = ("Statement format; auto detects it from the content. Built in: "
               + ", ".join(sorted(PARSERS)) + "; csv:NAME for a CSV profile of the configuration; "
               "qif:CURRENCY[,dmy|mdy] for QIF, which names no currency; paypal:net, stripe:net, "
               "adyen:net for one net line per row instead of gross and fee.")


def _echo(message: str, err: bool = False):
    """Print a message, its secrets masked (an error may quote what Odoo echoed of a request)."""
    click.echo(logs.redact(message), err=err)


def _fail(exc: SyncdError):
    _echo(f"syncd: error: {exc}", err=True)
    sys.exit(exc.exit_code)


class _Command(click.Command):
    """Turns syncd's own errors into a one-line message and the error kind's exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SyncdError as exc:
            _fail(exc)


class _Group(click.Group):
    command_class = _Command


ENV_HELP = "\n".join(f"  {name:24} {text}" for name, (_key, text) in ENVIRONMENT.items())


@click.group(cls=_Group, epilog="Environment variables:\n\n\b\n" + ENV_HELP)
@click.version_option(__version__, prog_name="syncd")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="SYNCD_CONFIG",
              help="TOML configuration file (default: the user's config dir, syncd/syncd.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr (syncd run always does).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              envvar="SYNCD_LOG_FORMAT", help="Logs for people, or one JSON object per line for collectors.")
@click.pass_context
def main(ctx, config_path, verbose, log_format):
    """Bring bank statement files into Odoo's Customer Ledger and reconcile them."""
    # before anything is created: the state store, its lock, quarantined files and metrics
    # hold payer names, IBANs and remittance text, for this user only
    os.umask(0o077)
    sys.excepthook = logs.excepthook
    verbose = verbose or ctx.invoked_subcommand == "run"
    logs.setup(logging.INFO if verbose else logging.WARNING, log_format)
    ctx.obj = {"config_path": config_path}


def _sink(config):
    """The Odoo sink, its retries bounded by half the journal lease."""
    from .sink import OdooSink

    return OdooSink(config.require_odoo(), budget=config.lease_seconds / 2)


def _config(ctx):
    """The configuration, with its secrets masked in every log line from now on."""
    config = load_config(ctx.obj["config_path"])
    logs.mask(*config.secrets)
    return config


ENCODING_HELP = "Code page of text formats (MT940...) when it is not UTF-8, e.g. cp852; XML declares its own."


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "format_name", default="auto", show_default=True, help=FORMAT_HELP)
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.option("--statements", "with_statements", is_flag=True,
              help='Also print each statement, after its transactions, as {"statement": ...}.')
@click.pass_context
def parse(ctx, path, format_name, encoding, with_statements):
    """Print the normalized transactions of a statement file as JSON lines.

    Nothing is printed unless the whole file reads well: a file found bad part way (cut
    short, an entry malformed) prints only the error, with exit status 3. A statement whose
    balances do not add up is read and named in a warning on stderr, as are entries left out
    (pending ones, say).
    """
    register_user_profiles(_config(ctx).csv_profiles)
    notes = []
    # the lines wait in a spooled file: in memory up to a few MB, on disk beyond
    with tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as lines:

        def write(item):
            lines.write(json.dumps(item, sort_keys=True, ensure_ascii=False) + "\n")

        def told(statement):
            notes.extend(statement_notes(statement, path))
            if with_statements:
                write({"statement": statement.to_json()})

        with open_file(path, format_name, encoding=encoding) as parsed:
            held = None  # the last statement, until its next page (5/2 after 5/1) may join it
            for item in parsed.items:
                if not isinstance(item, Statement):
                    write(item.to_json())
                    continue
                joined = join_pages([held, item]) if held is not None else [item]
                if len(joined) == 2:
                    told(joined[0])
                held = joined[-1]
            if held is not None:
                told(held)
        lines.seek(0)
        for line in lines:
            click.echo(line, nl=False)
    for note in notes:
        _echo(f"syncd: {note}", err=True)


@main.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "format_name", default="auto", show_default=True, help=FORMAT_HELP)
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.option("--progress/--no-progress", default=None,
              help="Progress bars on stderr (default: when stderr is a terminal).")
@click.pass_context
def import_(ctx, paths, format_name, encoding, progress):
    """Parse files, record them in the state store, push them to Odoo and reconcile them.

    A file that cannot be read is reported and skipped whole; the others go on. Importing the
    same transactions again creates nothing.
    """
    from .engine import Importer
    from .store import Store

    config = _config(ctx)
    register_user_profiles(config.csv_profiles)
    sink = _sink(config)
    from .progress import BarProgress, NoProgress

    bars = BarProgress() if (sys.stderr.isatty() if progress is None else progress) else NoProgress()
    with instance_lock(config.state_url), bars:
        store = Store(config.state_url)
        importer = Importer(config, store, sink, echo=logging.getLogger("syncd").info, progress=bars)
        summary = importer.run(paths, format_name, encoding)
    for line in summary.lines():
        _echo(line, err=line.startswith("error:"))
    if summary.errors:
        sys.exit(3)


@main.command()
@click.option("--once", is_flag=True, help="One pass over every source, then exit (for cron and timers).")
@click.option("--source", "only", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--no-push", is_flag=True, help="Read and store files, do not talk to Odoo.")
@click.option("--no-reconcile", is_flag=True,
              help="Push only; leave matching to a later run or to Odoo's scheduled action.")
@click.pass_context
def run(ctx, once, only, no_push, no_reconcile):
    """Read the configured sources ([sources.NAME]) on their intervals, store what arrives, push it
    to Odoo and reconcile it.

    Each file is moved to its source's archive folder once stored, or to its quarantine folder
    (with NAME.reason.txt) if refused. SIGTERM or SIGINT finish the current file or batch and
    exit; SIGHUP reloads the configuration. Exit status: 0 stopped cleanly; 75 another syncd
    holds the SQLite store or the store is unreachable at start; 77 Odoo refused the robot's login
    or key. Several instances may share a PostgreSQL state store: each journal is written by one
    at a time, under a lease.
    """
    from .daemon import Daemon
    from .store import Store

    def load():
        config = _config(ctx)
        register_user_profiles(config.csv_profiles)
        if not no_push:
            config.require_odoo()
        return config

    config = load()
    with instance_lock(config.state_url):
        sinks = (lambda _config: None) if no_push else _sink
        daemon = Daemon(load, Store(config.state_url), sinks, reconcile=not no_reconcile)
        daemon.install_signals()
        sys.exit(daemon.run(once=once, only=only))


@main.command()
@click.option("--source", "only", multiple=True, metavar="NAME", help="Only this source's files (repeatable).")
@click.pass_context
def retry(ctx, only):
    """Put quarantined files back in their inbox and quarantined transactions (refused by Odoo)
    back in the queue, after a fix (a profile, an encoding, a journal in Odoo); the next run reads
    and sends them again."""
    from .daemon import retry_quarantined
    from .store import Store

    config = _config(ctx)
    with instance_lock(config.state_url):
        files, transactions = retry_quarantined(config, Store(config.state_url), only)
    _echo(f"files put back: {files}; transactions queued again: {transactions}")


@main.command()
@click.argument("batch")
@click.pass_context
def replay(ctx, batch):
    """Send the transactions of BATCH again and reconcile them (after lines were deleted in Odoo,
    say). Odoo creates none twice: a line it has is reported as already there. `syncd status`
    lists the recent batches."""
    from .engine import Importer, ImportSummary
    from .store import Store

    config = _config(ctx)
    sink = _sink(config)
    with instance_lock(config.state_url):
        importer = Importer(config, Store(config.state_url), sink)
        summary = ImportSummary()
        count = importer.replay(batch, summary)
    _echo(f"batch {batch}: {count} transaction(s) sent again")
    for line in summary.lines():
        _echo(line, err=line.startswith("error:"))
    if summary.errors:
        sys.exit(3)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def check(ctx, as_json):
    """Check that syncd can run: the configuration, each source's folders, the state store, Odoo
    reachable, the addon's version, the robot's login and rights, each configured journal.

    Exit status 0 when nothing failed (warnings allowed), else the first failure's status.
    """
    from .check import FAIL, run_checks
    from .sink import OdooSink
    from .store import Store

    verdicts = run_checks(lambda: _config(ctx), lambda config: Store(config.state_url),
                          lambda config: OdooSink(config.odoo, attempts=1))
    if as_json:
        _echo(json.dumps([vars(verdict) for verdict in verdicts]))
    else:
        for verdict in verdicts:
            _echo(f"{verdict.status:8} {verdict.check}: {verdict.detail}")
    failed = [verdict for verdict in verdicts if verdict.status == FAIL]
    sys.exit(failed[0].exit_code or 1 if failed else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx, as_json):
    """Show what the state store holds: transactions by state, each source's last run and last
    error, and the quarantined files with their reasons."""
    from .store import Store

    config = _config(ctx)
    counts = Store(config.state_url).counts()
    if as_json:
        last = counts["last_import"]
        _echo(json.dumps({**counts, "last_import": last.isoformat() if last else None,
                          "state_url": config.state_store}, sort_keys=True))
        return
    _echo(f"state store: {config.state_store}")
    _echo(f"files: {counts['files']}, last import: {counts['last_import'] or 'never'}")
    if not counts["states"]:
        _echo("transactions: none")
    for state, count in sorted(counts["states"].items()):
        _echo(f"  {state:12} {count}")
    for name, source in counts["sources"].items():
        states = ", ".join(f"{state} {count}" for state, count in sorted(source["states"].items())) or "none"
        _echo(f"source {name} ({source['kind']}): last run {source['last_run'] or 'never'}, "
              f"last success {source['last_ok'] or 'never'}; files stored {source['files_done']}, "
              f"quarantined {source['files_quarantined']}; transactions: {states}")
        if source["last_error"]:
            _echo(f"  last error: {source['last_error']}")
    for name in sorted(set(config.sources) - set(counts["sources"])):
        _echo(f"source {name}: configured, never run")
    if counts["batches"]:
        _echo("recent batches (syncd replay BATCH sends one again):")
        for entry in counts["batches"]:
            _echo(f"  {entry['batch']}: {entry['transactions']} transaction(s), last sent {entry['last_sent']}")
    if counts["flagged_statements"]:
        _echo("statements to look at (balances that do not add up, entries left out, totals that disagree):")
        for entry in counts["flagged_statements"]:
            problems = []
            if not entry["balanced"]:
                problems.append(f"opening {entry['opening']} + entries {entry['total']} misses the closing "
                                f"{entry['closing']} by {entry['gap']}")
            if entry["left_out"]:
                problems.append("left out: " + ", ".join(f"{n} {why}" for why, n in entry["left_out"].items()))
            problems += entry["notes"]
            _echo(f"  statement {entry['statement'] or '(no id)'} of {entry['account']}"
                  f"{' on ' + entry['date'] if entry['date'] else ''} ({entry['file']}): {'; '.join(problems)}")
    if counts["quarantine"]:
        _echo(f"quarantined files: {len(counts['quarantine'])} (syncd retry puts them back)")
        for entry in counts["quarantine"]:
            _echo(f"  {entry['file']}: {entry['reason']}")
