"""The ``syncd`` command line."""

from __future__ import annotations

import json
import logging
import sys
import tempfile

import click

from . import __version__
from .config import ENVIRONMENT, load_config
from .engine import Importer, open_file
from .errors import SyncdError
from .parsers import PARSERS, register_user_profiles

FORMAT_HELP = ("Statement format; auto detects it from the content. Built in: "
               + ", ".join(sorted(PARSERS)) + "; csv:NAME for a CSV profile of the configuration.")


def _fail(exc: SyncdError):
    click.echo(f"syncd: error: {exc}", err=True)
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
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.pass_context
def main(ctx, config_path, verbose):
    """Bring bank statement files into Odoo's Customer Ledger and reconcile them."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = {"config_path": config_path}


ENCODING_HELP = "Code page of text formats (MT940...) when it is not UTF-8, e.g. cp852; XML declares its own."


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "format_name", default="auto", show_default=True, help=FORMAT_HELP)
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.pass_context
def parse(ctx, path, format_name, encoding):
    """Print the normalized transactions of a statement file as JSON lines.

    Nothing is printed unless the whole file reads well: a file found bad part way (its
    balances do not add up, an entry is malformed) prints only the error, with exit status 3.
    """
    register_user_profiles(load_config(ctx.obj["config_path"]).csv_profiles)
    # the lines wait in a spooled file: in memory up to a few MB, on disk beyond
    with tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as lines:
        with open_file(path, format_name, encoding=encoding) as parsed:
            for transaction in parsed.transactions:
                lines.write(json.dumps(transaction.to_json(), sort_keys=True, ensure_ascii=False) + "\n")
        lines.seek(0)
        for line in lines:
            click.echo(line, nl=False)


@main.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "format_name", default="auto", show_default=True, help=FORMAT_HELP)
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.pass_context
def import_(ctx, paths, format_name, encoding):
    """Parse files, record them in the state store, push them to Odoo and reconcile them.

    A file that cannot be read is reported and skipped whole; the others go on. Importing the
    same transactions again creates nothing.
    """
    from .sink import OdooSink
    from .store import Store

    config = load_config(ctx.obj["config_path"])
    register_user_profiles(config.csv_profiles)
    sink = OdooSink(config.require_odoo())
    store = Store(config.state_url)
    importer = Importer(config, store, sink, echo=logging.getLogger("syncd").info)
    summary = importer.run(paths, format_name, encoding)
    for line in summary.lines():
        click.echo(line, err=line.startswith("error:"))
    if summary.errors:
        sys.exit(3)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx, as_json):
    """Show what the state store holds: files, and transactions by state."""
    from .store import Store

    config = load_config(ctx.obj["config_path"])
    counts = Store(config.state_url).counts()
    if as_json:
        last = counts["last_import"]
        click.echo(json.dumps({**counts, "last_import": last.isoformat() if last else None,
                               "state_url": config.state_url}, sort_keys=True))
        return
    click.echo(f"state store: {config.state_url}")
    click.echo(f"files: {counts['files']}, last import: {counts['last_import'] or 'never'}")
    if not counts["states"]:
        click.echo("transactions: none")
    for state, count in sorted(counts["states"].items()):
        click.echo(f"  {state:12} {count}")
