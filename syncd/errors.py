"""One exception base for syncd, with three kinds that decide retries and exit codes.

- ``UserError``: the input or the configuration is wrong; fix it and run again.
- ``TransientError``: the outside world hiccupped (network, Odoo restarting); retrying may help.
- ``PermanentError``: the other side refused for good (validation, access rights).
"""


class SyncdError(Exception):
    """Base of every error syncd raises on purpose."""

    exit_code = 1
    hint = ""

    def __str__(self):
        message = super().__str__()
        return f"{message} ({self.hint})" if self.hint else message


class UserError(SyncdError):
    exit_code = 2


class InputError(UserError):
    """A file that cannot be read as a statement: names the file, the place and the reason."""

    exit_code = 3

    def __init__(self, path, location, reason):
        self.path = str(path)
        self.location = location
        self.reason = reason
        where = f"{self.path}: {location}" if location else self.path
        super().__init__(f"{where}: {reason}")


class ConfigError(UserError):
    exit_code = 4
    hint = "check the configuration file and the SYNCD_* environment variables"


class TransientError(SyncdError):
    exit_code = 75  # EX_TEMPFAIL
    hint = "nothing was lost; run again once the service is back"


class PermanentError(SyncdError):
    exit_code = 65


class RefusedError(PermanentError):
    """Odoo refused the data of a call (a ValidationError); ``line`` is the index of the line
    the refusal names (``lines[3]: ...``), if it names one."""

    def __init__(self, message, line: int | None = None):
        super().__init__(message)
        self.line = line


class AccessDeniedError(PermanentError):
    exit_code = 77  # EX_NOPERM
    hint = "check the robot's login and API key, and that it has the Ledger Sync Robot group"


class SourceError(TransientError):
    """A source cannot be read now (its folder, its server, its host key): the source's error
    until the next pass; the other sources go on."""

    hint = ""
