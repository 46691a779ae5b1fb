"""``syncd check``: is this installation ready to run? Each check gives a verdict and a reason:
the configuration, each source's folders, the state store, Odoo reachable, the addon's API
version, the robot's login and rights, and each configured journal."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import AccessDeniedError, SyncdError, TransientError

OK, WARN, FAIL = "ok", "warning", "FAIL"


@dataclass
class Verdict:
    check: str
    status: str
    detail: str
    exit_code: int = 0


def run_checks(load_config, store_factory, sink_factory) -> list[Verdict]:
    verdicts: list[Verdict] = []
    try:
        config = load_config()
    except SyncdError as exc:
        return [Verdict("configuration", FAIL, str(exc), exc.exit_code)]
    verdicts.append(Verdict("configuration", OK, f"{len(config.sources)} source(s), state store {config.state_store}"))

    for name, source in config.sources.items():
        verdicts.append(_folders(name, source))

    try:
        store = store_factory(config)
        verdicts.append(Verdict("state store", OK, f"{config.state_store}: schema {store.revision()}"))
    except SyncdError as exc:
        verdicts.append(Verdict("state store", FAIL, str(exc), exc.exit_code))

    try:
        odoo = config.require_odoo()
    except SyncdError as exc:
        return [*verdicts, Verdict("odoo", FAIL, str(exc), exc.exit_code)]
    try:
        sink = sink_factory(config)
        sink.login()
        verdicts.append(Verdict("odoo login", OK, f"{odoo.login} on {odoo.database} at {odoo.url}"))
        info = sink.api_info()
    except TransientError as exc:
        return [*verdicts, Verdict("odoo reachable", FAIL, str(exc), exc.exit_code)]
    except AccessDeniedError as exc:
        return [*verdicts, Verdict("odoo login", FAIL, str(exc), exc.exit_code)]
    except SyncdError as exc:
        return [*verdicts, Verdict("addon version", FAIL, str(exc), exc.exit_code)]
    verdicts.append(Verdict("addon version", OK, f"Customer Ledger {info.get('module_version')}, "
                                                 f"sync API {info.get('api_version')}"))
    if info.get("dedicated_robot"):
        verdicts.append(Verdict("robot rights", OK, f"{info['login']} is the sync robot and nothing more"))
    else:
        verdicts.append(Verdict("robot rights", WARN, f"{info['login']} may use the sync API but is not a dedicated "
                                "robot (it is an accountant or an administrator): create one with the Sync Robot "
                                "wizard and use its API key"))
    for account, code in sorted(config.journals.items()):
        try:
            sink.lookup_keys({"code": code}, [])
            verdicts.append(Verdict(f"journal {code}", OK, f"statements of {account} go to journal {code}"))
        except SyncdError as exc:
            verdicts.append(Verdict(f"journal {code}", FAIL, str(exc), exc.exit_code or 1))
    return verdicts


def _folders(name, source) -> Verdict:
    if source.kind == "sftp":
        return _sftp(name, source)
    for folder in (source.path, source.archive, source.quarantine):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            return Verdict(f"source {name}", FAIL, f"{folder} is not writable by this user", 1)
    state = "ready" if source.path.is_dir() else "will be created"
    return Verdict(f"source {name}", OK, f"{source.kind} {source.path} ({state}), every {source.interval:g} s")


def _sftp(name, source) -> Verdict:
    from .sftp import SftpSource

    server = SftpSource(source)
    try:
        server.prepare()
        waiting = len(server.ready(now=float("inf")))
    except SyncdError as exc:
        return Verdict(f"source {name}", FAIL, str(exc), exc.exit_code)
    finally:
        server.close()
    return Verdict(f"source {name}", OK, f"sftp {server.label('')} reached, host key verified, {waiting} file(s) "
                                         f"waiting; every {source.interval:g} s")
