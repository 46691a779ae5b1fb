"""Configuration: a TOML file, every key overridable by a documented environment variable,
validated into typed objects at start-up with errors that name the section and key."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import platformdirs
import tomllib

from .errors import ConfigError

#: Environment variables, the key each overrides, and what it is. The README lists them.
ENVIRONMENT = {
    "SYNCD_CONFIG": (None, "path of the TOML configuration file"),
    "SYNCD_LOG_FORMAT": (None, "text (default) or json logs, as --log-format"),
    "SYNCD_ODOO_URL": ("odoo.url", "Odoo's base URL, e.g. http://127.0.0.1:8069"),
    "SYNCD_ODOO_DATABASE": ("odoo.database", "Odoo database name"),
    "SYNCD_ODOO_LOGIN": ("odoo.login", "login of the robot user"),
    "SYNCD_ODOO_API_KEY": ("odoo.api_key", "the robot's API key (preferred over a password)"),
    "SYNCD_ODOO_PASSWORD": ("odoo.password", "the robot's password, if no API key"),
    "SYNCD_ODOO_TIMEOUT": ("odoo.timeout", "seconds to wait for one RPC call"),
    "SYNCD_STATE_URL": ("state.url", "SQLAlchemy URL of the state store"),
    "SYNCD_PUSH_BATCH_SIZE": ("push.batch_size", "statement lines per RPC call"),
    "SYNCD_PUSH_BATCH_BYTES": ("push.batch_bytes", "bytes of statement lines per RPC call (default: what Odoo takes)"),
    "SYNCD_JOURNALS": ("journals", "account-to-journal map: ACCOUNT=CODE[,ACCOUNT=CODE...]"),
}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("syncd")) / "syncd.toml"


def default_state_url() -> str:
    return "sqlite:///" + str(Path(platformdirs.user_data_dir("syncd")) / "state.sqlite")


@dataclass(frozen=True)
class OdooConfig:
    url: str = ""
    database: str = ""
    login: str = ""
    api_key: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    timeout: float = 120.0

    @property
    def secret(self) -> str:
        return self.api_key or self.password


SOURCE_KINDS = ("inbox", "sftp")


@dataclass(frozen=True)
class RemoteConfig:
    """An SFTP server: the key syncd logs in with, and the host key it must present."""

    host: str
    port: int
    user: str
    key_file: Path
    known_hosts: Path
    timeout: float = 30.0


@dataclass(frozen=True)
class SourceConfig:
    """One place statement files arrive, read by ``syncd run`` every ``interval`` seconds."""

    name: str
    kind: str
    path: Path
    archive: Path
    quarantine: Path
    pattern: str = "*"
    interval: float = 300.0
    #: seconds a file must be left unchanged before it is read (a writer may not be done)
    settle: float = 5.0
    format: str = "auto"
    encoding: str | None = None
    #: for an SFTP source: the server (``path``, ``archive`` and ``quarantine`` are remote
    #: folders then) and the local folder files are downloaded to
    remote: RemoteConfig | None = None
    staging: Path | None = None


@dataclass(frozen=True)
class MetricsConfig:
    #: (host, port) to serve /metrics on; loopback addresses only
    listen: tuple[str, int] | None = None
    #: a node_exporter textfile, rewritten after every pass
    textfile: Path | None = None


@dataclass(frozen=True)
class Config:
    odoo: OdooConfig
    state_url: str
    batch_size: int = 200
    #: bytes of lines per call (compact JSON); None: the server's max_request_bytes, if it says
    batch_bytes: int | None = None
    #: seconds an instance holds a journal before another may take over (renewed per batch)
    lease_seconds: float = 300.0
    #: seconds before Odoo is asked again to match a transaction still open (0: every pass)
    rematch_after: float = 3600.0
    #: statement account (IBAN or number, without spaces) -> Odoo journal code
    journals: dict = field(default_factory=dict)
    #: the user's CSV profiles: name -> table (see syncd.parsers.csvprofile)
    csv_profiles: dict = field(default_factory=dict)
    #: where ``syncd run`` finds files, by name
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)

    @property
    def state_store(self) -> str:
        """The state URL fit to print: its password masked."""
        return mask_url(self.state_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be printed or logged: the robot's key or password, the passwords in
        the state store's and Odoo's URLs."""
        return (self.odoo.api_key, self.odoo.password, url_password(self.state_url), url_password(self.odoo.url))

    def journal_for(self, account: str) -> dict:
        """The journal spec the addon's API takes for a statement account."""
        code = self.journals.get(_compact(account))
        return {"code": code} if code else {"account_number": account}

    def require_odoo(self) -> OdooConfig:
        missing = [name for name in ("url", "database", "login") if not getattr(self.odoo, name)]
        if not self.odoo.secret:
            missing.append("api_key (or password)")
        if missing:
            raise ConfigError(
                "[odoo] is missing " + ", ".join(missing)
                + " (or set SYNCD_ODOO_URL, SYNCD_ODOO_DATABASE, SYNCD_ODOO_LOGIN, SYNCD_ODOO_API_KEY)"
            )
        return self.odoo


#: ``scheme://user:password@host``: the password runs to the last ``@`` (a raw ``@``, ``:`` or ``/``
#: in it is the user's mistake, but must not show its tail), the user name to the first ``:``
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^:/@\s]*:)(?P<password>.*)(?P<tail>@)", re.DOTALL)


def url_password(url: str) -> str:
    match = _URL_PASSWORD.search(url)
    return match["password"] if match else ""


def mask_url(url: str) -> str:
    """``postgresql://syncd:***@host/db``: a URL with its password masked."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", url, count=1)


def _compact(account: str) -> str:
    return "".join(account.split()).upper()


def load_config(path: str | os.PathLike | None = None, environ=None) -> Config:
    """Read the file (if any), apply environment overrides, validate."""
    environ = os.environ if environ is None else environ
    explicit = path or environ.get("SYNCD_CONFIG")
    config_path = Path(explicit) if explicit else default_config_path()
    data: dict = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{config_path}: cannot read: {exc.strerror}") from None
    elif explicit:
        raise ConfigError(f"{config_path}: no such configuration file")
    source = str(config_path) if config_path.exists() else "configuration"

    unknown = set(data) - {"odoo", "state", "push", "journals", "csv_profiles", "sources", "metrics"}
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {', '.join(sorted(unknown))}")
    odoo = _section(data, "odoo", source, {"url", "database", "login", "api_key", "password", "timeout"})
    state = _section(data, "state", source, {"url"})
    push = _section(data, "push", source, {"batch_size", "batch_bytes", "lease_seconds", "rematch_after"})
    journals = _section(data, "journals", source, None)
    csv_profiles = _section(data, "csv_profiles", source, None)
    for name, table in csv_profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [csv_profiles.{name}] must be a table")
    sources = {name: _source(name, table, f"{source}: [sources.{name}]", config_path.parent)
               for name, table in _section(data, "sources", source, None).items()}
    metrics = _metrics(_section(data, "metrics", source, {"listen", "textfile"}), f"{source}: [metrics]",
                       config_path.parent)

    def pick(section: dict, key: str, env: str, default=None):
        if env in environ and environ[env] != "":
            return environ[env], env
        return section.get(key, default), f"{source} [{key_section(env)}] {key}"

    url, where = pick(odoo, "url", "SYNCD_ODOO_URL", "")
    if url:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
    timeout, where = pick(odoo, "timeout", "SYNCD_ODOO_TIMEOUT", 120)
    batch_size, batch_where = pick(push, "batch_size", "SYNCD_PUSH_BATCH_SIZE", 200)
    batch_bytes, bytes_where = pick(push, "batch_bytes", "SYNCD_PUSH_BATCH_BYTES")
    state_url, _where = pick(state, "url", "SYNCD_STATE_URL", "")
    odoo_config = OdooConfig(
        url=str(url).rstrip("/"),
        database=_string(*pick(odoo, "database", "SYNCD_ODOO_DATABASE", "")),
        login=_string(*pick(odoo, "login", "SYNCD_ODOO_LOGIN", "")),
        api_key=_string(*pick(odoo, "api_key", "SYNCD_ODOO_API_KEY", "")),
        password=_string(*pick(odoo, "password", "SYNCD_ODOO_PASSWORD", "")),
        timeout=_number(timeout, where, float, 1, 3600),
    )
    journal_map = {_compact(k): _string(v, f"{source} [journals] {k}") for k, v in journals.items()}
    if environ.get("SYNCD_JOURNALS"):
        journal_map = _parse_journal_env(environ["SYNCD_JOURNALS"])
    lease_seconds = _number(push.get("lease_seconds", 300), f"{source} [push] lease_seconds", float, 10, 86400)
    if odoo_config.timeout * 2 > lease_seconds:
        raise ConfigError(f"{source} [push] lease_seconds: {lease_seconds:g} must be at least twice [odoo] timeout "
                          f"({odoo_config.timeout:g}): a call and its retries must end before the lease does")
    return Config(
        odoo=odoo_config,
        lease_seconds=lease_seconds,
        rematch_after=_number(push.get("rematch_after", 3600), f"{source} [push] rematch_after", float, 0, 30 * 86400),
        state_url=str(state_url or default_state_url()),
        batch_size=_number(batch_size, batch_where, int, 1, 5000),
        batch_bytes=None if batch_bytes is None else _number(batch_bytes, bytes_where, int, 1024, 1 << 30),
        journals=journal_map,
        csv_profiles=csv_profiles,
        sources=sources,
        metrics=metrics,
    )


_SOURCE_KEYS = {"kind", "path", "archive", "quarantine", "pattern", "interval", "settle", "format", "encoding"}
_SFTP_KEYS = {"host", "port", "user", "key_file", "known_hosts", "timeout", "staging"}


def _source(name: str, table, where: str, base: Path) -> SourceConfig:
    """``[sources.NAME]``: relative folders are taken from the configuration file's folder."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    kind = table.get("kind", "inbox")
    unknown = set(table) - _SOURCE_KEYS - (_SFTP_KEYS if kind == "sftp" else set())
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    if not name.replace("-", "").replace("_", "").isalnum() or len(name) > 100:
        raise ConfigError(f"{where}: a source's name is letters, digits, - and _ (at most 100)")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{where} kind: {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    if not table.get("path"):
        raise ConfigError(f"{where} path: the folder to read is missing")

    def local(key: str) -> Path:
        return (base / Path(_string(table[key], f"{where} {key}")).expanduser()).resolve()

    def remote(key: str) -> Path:
        value = PurePosixPath(_string(table[key], f"{where} {key}"))
        if not value.is_absolute():
            raise ConfigError(f"{where} {key}: {str(value)!r} must be an absolute path on the server")
        return Path(str(value))

    folder = remote if kind == "sftp" else local
    path = folder("path")
    archive = folder("archive") if "archive" in table else path / "archive"
    quarantine = folder("quarantine") if "quarantine" in table else path / "quarantine"
    for key, other in (("archive", archive), ("quarantine", quarantine)):
        if other == path:
            raise ConfigError(f"{where} {key}: must be another folder than path ({path})")
    encoding = table.get("encoding")
    server = staging = None
    if kind == "sftp":
        for key in ("host", "user", "key_file", "known_hosts"):
            if not table.get(key):
                raise ConfigError(f"{where} {key}: an SFTP source needs it")
        server = RemoteConfig(
            host=_string(table["host"], f"{where} host"),
            port=_number(table.get("port", 22), f"{where} port", int, 1, 65535),
            user=_string(table["user"], f"{where} user"),
            key_file=local("key_file"),
            known_hosts=local("known_hosts"),
            timeout=_number(table.get("timeout", 30), f"{where} timeout", float, 1, 600),
        )
        staging = local("staging") if "staging" in table else \
            Path(platformdirs.user_data_dir("syncd")) / "staging" / name
    return SourceConfig(
        name=name,
        kind=kind,
        path=path,
        archive=archive,
        quarantine=quarantine,
        pattern=_string(table.get("pattern", "*"), f"{where} pattern"),
        interval=_number(table.get("interval", 300), f"{where} interval", float, 1, 86400),
        settle=_number(table.get("settle", 5), f"{where} settle", float, 0, 3600),
        format=_string(table.get("format", "auto"), f"{where} format"),
        encoding=_string(encoding, f"{where} encoding") if encoding is not None else None,
        remote=server,
        staging=staging,
    )


def _metrics(table: dict, where: str, base: Path) -> MetricsConfig:
    listen = None
    if "listen" in table:
        text = _string(table["listen"], f"{where} listen")
        host, sep, port = text.rpartition(":")
        host = host.strip("[]")
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not sep or not port.isdigit() or not loopback:
            raise ConfigError(f"{where} listen: {text!r} must be a loopback address and port, e.g. 127.0.0.1:9464 "
                              "(metrics are not for the network: put a proxy or node_exporter in front)")
        listen = (host, _number(port, f"{where} listen", int, 1, 65535))
    textfile = None
    if "textfile" in table:
        textfile = (base / Path(_string(table["textfile"], f"{where} textfile")).expanduser()).resolve()
    return MetricsConfig(listen=listen, textfile=textfile)


def key_section(env: str) -> str:
    key = ENVIRONMENT[env][0] or ""
    return key.split(".", 1)[0]


def _section(data: dict, name: str, source: str, allowed: set | None) -> dict:
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    if allowed is not None:
        unknown = set(section) - allowed
        if unknown:
            raise ConfigError(f"{source}: [{name}] has unknown key(s) {', '.join(sorted(unknown))}")
    return section


def _string(value, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a string, not {type(value).__name__}")
    return value


def _number(value, where: str, kind, low, high):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a {kind.__name__}") from None
    if not low <= number <= high:
        raise ConfigError(f"{where}: {number} is outside {low}..{high}")
    return number


def _parse_journal_env(text: str) -> dict:
    journal_map = {}
    for item in text.split(","):
        account, sep, code = item.partition("=")
        if not sep or not account.strip() or not code.strip():
            raise ConfigError(f"SYNCD_JOURNALS: {item!r} is not ACCOUNT=CODE")
        journal_map[_compact(account)] = code.strip()
    return journal_map
