"""Configuration: file, environment overrides, and errors that name section and key."""

import pytest

from syncd.config import load_config
from syncd.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "syncd.toml"
    path.write_text(text)
    return path


def test_file_values_and_environment_overrides(tmp_path):
    path = write(tmp_path, """
[odoo]
url = "http://127.0.0.1:8069/"
database = "prod"
login = "syncd"
api_key = "from-file"

[push]
batch_size = 200
batch_bytes = 1000000

[journals]
"DE89 3704 0044 0532 0130 00" = "BNK1"
""")
    config = load_config(path, environ={})
    assert config.odoo.url == "http://127.0.0.1:8069"
    assert config.odoo.secret == "from-file"
    assert (config.batch_size, config.batch_bytes) == (200, 1_000_000)
    assert config.journal_for("DE89370400440532013000") == {"code": "BNK1"}
    assert config.journal_for("GB29NWBK60161331926819") == {"account_number": "GB29NWBK60161331926819"}
    assert "from-file" not in repr(config)

    overridden = load_config(path, environ={
        "SYNCD_ODOO_DATABASE": "staging", "SYNCD_ODOO_API_KEY": "from-env", "SYNCD_PUSH_BATCH_SIZE": "50",
        "SYNCD_PUSH_BATCH_BYTES": "250000", "SYNCD_JOURNALS": "GB29NWBK60161331926819=BNK2",
    })
    assert overridden.odoo.database == "staging"
    assert overridden.odoo.secret == "from-env"
    assert (overridden.batch_size, overridden.batch_bytes) == (50, 250_000)
    assert overridden.journal_for("GB29 NWBK 6016 1331 9268 19") == {"code": "BNK2"}
    assert load_config(write(tmp_path, ""), environ={}).batch_bytes is None  # then the server's figure


SFTP = "[sources.a]\nkind = 'sftp'\npath = '/in'\nhost = 'h'\nuser = 'u'\nkey_file = 'k'\nknown_hosts = 'kh'\n"


@pytest.mark.parametrize(("text", "environ", "message"), [
    ("[odoo]\nurl = 'ftp://x'\n", {}, "[odoo] url: 'ftp://x' is not an http(s) URL"),
    ("[odoo]\nurl = 'http://x'\n", {"SYNCD_ODOO_URL": "nope"}, "SYNCD_ODOO_URL: 'nope' is not an http(s) URL"),
    ("[push]\nbatch_size = 0\n", {}, "[push] batch_size: 0 is outside 1..5000"),
    ("[push]\nbatch_size = 'many'\n", {}, "[push] batch_size: 'many' is not a int"),
    ("[push]\nbatch_bytes = 100\n", {}, "[push] batch_bytes: 100 is outside 1024..1073741824"),
    ("", {"SYNCD_PUSH_BATCH_BYTES": "big"}, "SYNCD_PUSH_BATCH_BYTES: 'big' is not a int"),
    ("[odoo]\ncolour = 1\n", {}, "[odoo] has unknown key(s) colour"),
    ("[nonsense]\n", {}, "unknown section(s) nonsense"),
    ("[odoo\n", {}, "syncd.toml"),
    ("[odoo]\nlogin = 3\n", {}, "[odoo] login: must be a string"),
    ("", {"SYNCD_JOURNALS": "DE89"}, "SYNCD_JOURNALS: 'DE89' is not ACCOUNT=CODE"),
    ("[push]\nlease_seconds = 10\n", {}, "[push] lease_seconds: 10 must be at least twice [odoo] timeout (120)"),
    # sources
    ("[sources.a]\npattern = '*.xml'\n", {}, "[sources.a] path: the folder to read is missing"),
    ("[sources.a]\nkind = 'ftp'\npath = 'in'\n", {}, "[sources.a] kind: 'ftp' is not one of inbox, sftp"),
    ("[sources.'a b']\npath = 'in'\n", {}, "[sources.a b]: a source's name is letters, digits, - and _"),
    ("[sources.a]\npath = 'in'\narchive = 'in'\n", {}, "[sources.a] archive: must be another folder than path"),
    ("[sources.a]\npath = 'in'\ninterval = 0\n", {}, "[sources.a] interval: 0.0 is outside 1..86400"),
    ("[sources.a]\npath = 'in'\nhost = 'h'\n", {}, "[sources.a] has unknown key(s) host"),  # an inbox has no host
    (SFTP.replace("known_hosts = 'kh'\n", ""), {}, "[sources.a] known_hosts: an SFTP source needs it"),
    (SFTP.replace("'/in'", "'in'"), {}, "[sources.a] path: 'in' must be an absolute path on the server"),
    (SFTP + "port = 70000\n", {}, "[sources.a] port: 70000 is outside 1..65535"),
    (SFTP + "timeout = 'long'\n", {}, "[sources.a] timeout: 'long' is not a float"),
])
def test_errors_name_where(tmp_path, text, environ, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), environ=environ)
    assert message in str(error.value)


def test_missing_odoo_settings_are_listed(tmp_path):
    config = load_config(write(tmp_path, "[odoo]\nurl = 'http://127.0.0.1:8069'\n"), environ={})
    with pytest.raises(ConfigError, match="database, login, api_key"):
        config.require_odoo()


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml", environ={})
