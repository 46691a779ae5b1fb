# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API: the one public entry point of the syncd daemon.

Every method is reachable over RPC, so each validates its arguments and checks the caller
before it touches anything. The caller needs the Ledger Sync Robot group (or is a full
accountant) and access to the journal's company; the work itself runs as superuser within
those checks, because the robot deliberately has no accounting rights of its own.
"""

import json

from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round

from odoo.addons.base.models.res_bank import sanitize_account_number

from ..lib.sync_values import BadValue, check_text, parse_amount, parse_date, strings_in

API_VERSION = "1.1"
# what this server takes beyond 1.0: statements with their balances beside the lines (1.1)
FEATURES = ("statements",)
# a line costs about 21 queries of Odoo's own statement-line and entry creation: 500 minimal
# lines took 43 s on two cores at load 5.5, inside the default worker limits (60 s CPU, 120 s real)
MAX_BATCH = 500
# unique keys a concurrent push can hit: our import keys (lines, statements), and the journal's entry numbers
# (two requests numbering entries of one journal at once)
CONFLICT_CONSTRAINTS = ("ledger_import_key_company_uniq", "account_move_unique_name",
                        "account_bank_statement_ledger_import_key_company_uniq")  # and our statements' key
MAX_KEY_LENGTH = 128
MAX_RAW_CHARS = 20000
MAX_SOURCE_CHARS = 500
MAX_JOURNAL_CHARS = 100
# the JSON of one push's lines (UTF-8, compact separators). At every field's cap that is 188
# lines, 17-23 s on 2 busy cores: far from Odoo's default worker limits (60 s CPU, 120 s real).
# A push's time grows with its lines (Odoo creates a move per line), not with their text.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
# remittance text may run over several lines, so may the source record kept in raw (as JSON,
# escaped); every other text is one line
MULTILINE_CONTROLS = "\n\t"
_TEXT_FIELDS = {
    # payload key: (statement line field, max length)
    "payment_ref": ("payment_ref", 1000),
    "partner_name": ("partner_name", 255),
    "account_number": ("account_number", 100),
    "structured_ref": ("ledger_structured_ref", 100),
    "bank_ref": ("ledger_bank_ref", 255),
    "end_to_end_id": ("ledger_end_to_end_id", 255),
}
_LINE_KEYS = {"key", "date", "amount", "currency", "foreign_currency", "amount_currency", "raw",
              "statement"} | set(_TEXT_FIELDS)
_STATEMENT_KEYS = {"name", "date", "opening_balance", "closing_balance"}
MAX_STATEMENT_NAME = 255
_SOURCE_KEYS = {"feed", "file", "batch"}


class PushConflict(UserError):
    """Another request created lines with the same keys, or numbered entries of the same
    journal, while this one ran: nothing of this one was kept. Sending the batch again is safe
    (lines created meanwhile are then reported as existing); syncd retries on this name."""


class CustomerLedgerSync(models.AbstractModel):
    _name = "customer.ledger.sync"
    _description = "Customer Ledger Sync API"

    # ------------------------------------------------------------------
    # Public API (RPC)
    # ------------------------------------------------------------------

    @api.model
    def api_info(self):
        """What the daemon checks at start-up: versions, who it is, and the limits of a push.

        ``limits`` are the figures the API refuses above: ``max_batch`` lines per push,
        ``max_request_bytes`` of ``lines`` per push (their JSON in UTF-8 with compact separators,
        ``json.dumps(lines, separators=(",", ":"), ensure_ascii=False)``), ``max_key_length``,
        ``max_source_chars`` per ``source`` value, ``max_raw_chars`` of ``raw`` measured as
        ``len(json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False))`` (the text that is
        stored), and ``text_fields``: the characters each text field of a line may hold.
        """
        self._check_caller()
        module = self.env["ir.module.module"].sudo().search([("name", "=", "customer_ledger")])
        user = self.env.user
        return {
            "api_version": API_VERSION,
            "module_version": module.latest_version,
            "login": user.login,
            "company_ids": user.company_ids.ids,
            "limits": self._api_limits(),
            "features": list(FEATURES),
            "max_batch": MAX_BATCH,
            # the daemon should log in as the robot and nothing more (``syncd check`` warns)
            "dedicated_robot": self._is_robot(user) and not (user.groups_id - self._robot_group()),
        }

    @api.model
    def push_statement_lines(self, api_version, journal, lines, source=None, statements=None):
        """Create the bank statement lines whose keys are new, all in this transaction.

        :param api_version: the contract version the caller speaks, e.g. ``"1.0"``
        :param journal: ``{"code": "BNK1"}`` or ``{"account_number": "DE89 3704 ..."}``
        :param lines: list of dicts: ``key``, ``date`` (``YYYY-MM-DD``), ``amount`` (a decimal
            string), ``currency`` (ISO code: the journal's currency) and optionally
            ``payment_ref``, ``partner_name``, ``account_number``, ``structured_ref``,
            ``bank_ref``, ``end_to_end_id``, ``raw``, ``foreign_currency`` with
            ``amount_currency`` for a transfer made in another currency (what the payer sent),
            and ``statement``: the key of the statement (in ``statements``) the line joins
        :param source: optional ``{"feed": ..., "file": ..., "batch": ...}``
        :param statements: optional (1.1) ``{key: {"name": ..., "date": "YYYY-MM-DD",
            "opening_balance": "...", "closing_balance": "..."}}``, every value but the name
            optional: the bank statements of the journal that the new lines naming them join.
            A key the company holds already is that statement (its closing balance is updated,
            its opening kept); a new one is created with the file's balances as they are, so a
            statement whose balances do not add up shows as such in Odoo. A statement none of
            whose lines is new is not created. Lines the journal held already stay where they are.
        :return: ``{"api_version": ..., "journal_id": ..., "lines": {key: {"id": line_id,
            "created": bool}}, "statements": {key: statement_id}}``

        Values are checked as ``lib/sync_values.py`` says: amounts are ASCII ``-?digits(.digits)?``
        strings or ints (never floats or bools) below the currency's ceiling, with no more
        decimals than the currency has; dates lie in 1900-01-01..2199-12-31; no text (the text
        fields, keys, ``source``, the journal, every string inside ``raw``) may hold a control
        character or a lone surrogate, except line breaks (``\\n``) and tabs (``\\t``) in
        ``payment_ref`` and in the strings of ``raw``, where remittance text may span lines.
        Nothing is stripped: a value is taken as sent or refused. The limits are those
        ``api_info`` lists under ``limits``.
        Every refusal is a ValidationError naming the line (``lines[3] (key K1): ...``) and
        its field, and nothing of the push is kept.
        """
        self._check_api_version(api_version)
        self._check_caller()
        journal = self._resolve_journal(journal)
        source = self._validate_source(source)
        if not isinstance(lines, list) or not lines:
            raise ValidationError(_("lines must be a non-empty list."))
        if len(lines) > MAX_BATCH:
            raise ValidationError(
                _("A batch holds at most %(max)s lines, got %(count)s.", max=MAX_BATCH, count=len(lines))
            )
        self._check_request_size(lines)
        currency = journal.currency_id or journal.company_id.currency_id
        statement_vals = self._prepare_statements(statements, currency, source)
        vals_by_key = {}
        for index, line in enumerate(lines):
            vals = self._prepare_statement_line_vals(journal, currency, line, index, source)
            if vals.get("statement") is not None and vals["statement"] not in statement_vals:
                raise ValidationError(
                    _("lines[%(index)s]: statement %(key)s is not among the statements sent.",
                      index=index, key=self._shown(vals["statement"]))
                )
            if vals["ledger_import_key"] in vals_by_key:
                raise ValidationError(
                    _("lines[%(index)s]: key %(key)s appears twice in the batch.",
                      index=index, key=vals["ledger_import_key"])
                )
            vals_by_key[vals["ledger_import_key"]] = vals

        existing = self._existing_lines(journal.company_id, list(vals_by_key))
        new_vals = [vals for key, vals in vals_by_key.items() if key not in existing]
        joining = {vals["ledger_import_key"]: vals.pop("statement", None) for vals in vals_by_key.values()}
        self._link_partners(new_vals, journal.company_id)
        # the caller (the robot) does not follow the entries it creates: it could not read them
        StatementLine = self.env["account.bank.statement.line"].sudo().with_company(journal.company_id).with_context(
            mail_create_nosubscribe=True)
        try:
            # A concurrent request (a client retrying after a lost answer while its first call
            # still runs, or another client writing to the journal) commits first; this insert
            # then waits for it and fails on a unique key. Odoo would report that as a
            # validation error, which a client must not retry; say what it is instead.
            with self.env.cr.savepoint():
                created = StatementLine.create(new_vals) if new_vals else StatementLine
                statement_ids = self._attach_statements(journal, created, joining, statement_vals)
        except pg_errors.UniqueViolation as exc:
            if (exc.diag.constraint_name or "").removeprefix("account_bank_statement_line_") \
                    not in CONFLICT_CONSTRAINTS:
                raise
            raise PushConflict(
                _("Another request created bank transactions in this journal meanwhile; send the batch again.")
            ) from None
        self._push_statement_lines_hook(journal, created, source)

        result = {key: {"id": line_id, "created": False} for key, line_id in existing.items()}
        for line in created:
            result[line.ledger_import_key] = {"id": line.id, "created": True}
        return {"api_version": API_VERSION, "journal_id": journal.id, "lines": result,
                "statements": statement_ids}

    @api.model
    def lookup_keys(self, api_version, journal, keys):
        """Which of ``keys`` the journal's company already holds: ``{key: line_id or False}``.

        After a timeout or a crash the daemon asks this before it sends again.
        """
        self._check_api_version(api_version)
        self._check_caller()
        journal = self._resolve_journal(journal)
        if not isinstance(keys, list) or len(keys) > MAX_BATCH:
            raise ValidationError(_("keys must be a list of at most %s import keys.", MAX_BATCH))
        for index, key in enumerate(keys):
            self._check_key(key, f"keys[{index}]")
        existing = self._existing_lines(journal.company_id, keys)
        return {key: existing.get(key, False) for key in keys}

    @api.model
    def reconcile_statement_lines(self, api_version, line_ids):
        """Match the lines to open customer items and reconcile those that are sure.

        The robot may do this only for lines it imported itself.

        :return: ``{line_id: {"state": "reconciled"|"suggested"|"unmatched", "confidence": float,
            "invoice_ids": [...], "reason": str}}``, keys as strings (JSON objects have string keys)
        """
        self._check_api_version(api_version)
        self._check_caller()
        if (
            not isinstance(line_ids, list)
            or len(line_ids) > MAX_BATCH
            or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in line_ids)
        ):
            raise ValidationError(_("line_ids must be a list of at most %s record ids.", MAX_BATCH))
        st_lines = self.env["account.bank.statement.line"].sudo().browse(line_ids).exists()
        missing = set(line_ids) - set(st_lines.ids)
        if missing:
            raise ValidationError(_("No bank transaction with id(s) %s.", sorted(missing)))
        for journal in st_lines.journal_id:
            self._check_journal_access(journal)
        if not self.env.user.has_group("account.group_account_user"):
            foreign = st_lines.filtered(lambda line: line.create_uid != self.env.user)
            if foreign:
                raise AccessError(_("The sync robot may only reconcile the transactions it imported (not %s).",
                                    ", ".join(foreign.mapped("display_name"))))
        outcome = st_lines._ledger_match()
        return {str(line_id): values for line_id, values in outcome.items()}

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    @api.model
    def _api_limits(self):
        """The limits a push is checked against, as ``api_info`` tells them to the caller."""
        return {
            "max_batch": MAX_BATCH,
            "max_request_bytes": MAX_REQUEST_BYTES,
            "max_key_length": MAX_KEY_LENGTH,
            "max_raw_chars": MAX_RAW_CHARS,
            "max_source_chars": MAX_SOURCE_CHARS,
            "text_fields": {name: max_length for name, (_field, max_length) in _TEXT_FIELDS.items()},
        }

    @api.model
    def _check_api_version(self, api_version):
        major = api_version.split(".", 1)[0] if isinstance(api_version, str) else None
        if major != API_VERSION.split(".", 1)[0]:
            raise ValidationError(
                _("This server speaks sync API %(ours)s; the caller speaks %(theirs)s. "
                  "Upgrade syncd or the Customer Ledger module so that both agree.",
                  ours=API_VERSION, theirs=self._shown(api_version))
            )

    @api.model
    def _robot_group(self):
        return self.env.ref("customer_ledger.group_ledger_sync_robot")

    @api.model
    def _is_robot(self, user):
        """The robot has no rights of its own (not even an employee's): the API's checks are
        its rights, and the API's work runs as superuser within them."""
        return self._robot_group() in user.groups_id

    @api.model
    def _check_caller(self):
        user = self.env.user
        if self.env.su:
            return  # server-side code (a scheduled action, a shell): never an RPC caller
        if not (self._is_robot(user) or user.has_group("account.group_account_user")):
            raise AccessError(
                _("%s may not use the sync API: it needs the Ledger Sync Robot group.", user.login)
            )

    @api.model
    def _check_journal_access(self, journal):
        user = self.env.user
        if journal.company_id not in user.company_ids:
            raise AccessError(_("You have no access to the company of journal %s.", journal.code))
        if self._is_robot(user):
            return  # the group and the company are the robot's whole right; it reads no journal itself
        journal = journal.with_user(user).with_company(journal.company_id)
        journal.check_access_rights("read")
        journal.check_access_rule("read")

    @api.model
    def _resolve_journal(self, spec):
        """A bank journal from ``{"code": ...}`` or ``{"account_number": ...}``."""
        if not isinstance(spec, dict) or len(spec) != 1 or not set(spec) <= {"code", "account_number"}:
            raise ValidationError(
                _('journal must be {"code": CODE} or {"account_number": IBAN_OR_NUMBER}.')
            )
        (kind, value), = spec.items()
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(_("journal %s must be a non-empty string.", kind))
        self._check_text(value, MAX_JOURNAL_CHARS, _("journal"), kind)
        domain = [("type", "=", "bank"), ("company_id", "in", self.env.user.company_ids.ids)]
        if kind == "code":
            domain.append(("code", "=", value.strip()))
        else:
            sanitized = sanitize_account_number(value)
            domain.append(("bank_account_id.sanitized_acc_number", "=", sanitized))
        journals = self.env["account.journal"].sudo().search(domain)
        label = _("code") if kind == "code" else _("account number")
        if not journals:
            raise ValidationError(_("No bank journal with %(kind)s %(value)s in your companies.",
                                    kind=label, value=value))
        if len(journals) > 1:
            raise ValidationError(
                _("%(kind)s %(value)s names several bank journals (%(codes)s); use the journal code.",
                  kind=label, value=value, codes=", ".join(journals.mapped("code")))
            )
        self._check_journal_access(journals)
        return journals

    @api.model
    def _check_key(self, key, where):
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationError(
                _("%(where)s: key must be a printable string of 1 to %(max)s characters.",
                  where=where, max=MAX_KEY_LENGTH)
            )

    @api.model
    def _validate_source(self, source):
        if source is None:
            return {}
        if not isinstance(source, dict) or not set(source) <= _SOURCE_KEYS:
            raise ValidationError(_("source must be a dict with keys among %s.", sorted(_SOURCE_KEYS)))
        for name, value in source.items():
            self._check_text(value, MAX_SOURCE_CHARS, _("source"), name)
        return source

    @api.model
    def _check_request_size(self, lines):
        try:
            text = json.dumps(lines, separators=(",", ":"), ensure_ascii=False)
        except RecursionError:  # Odoo's parser took it, a few frames higher up the stack
            raise ValidationError(_("lines nest too deeply.")) from None
        # surrogatepass: a lone surrogate is refused later, by its line and field
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_REQUEST_BYTES:
            raise ValidationError(
                _("The lines of this push take %(size)s bytes as JSON; a push may take at most %(max)s: "
                  "send fewer lines at a time.", size=size, max=MAX_REQUEST_BYTES)
            )

    @api.model
    def _shown(self, value, limit=40):
        """A caller's value as a message may quote it: its repr (control characters escaped),
        cut short."""
        try:
            text = repr(value)
        except (ValueError, RecursionError):  # an int with more digits than Python prints, deep lists
            return type(value).__name__
        return text if len(text) <= limit else text[: limit - 3] + "..."

    @api.model
    def _check_text(self, value, max_length, where, field, allowed=""):
        try:
            return check_text(value, max_length, allowed)
        except BadValue as exc:
            if exc.problem == "character":
                raise ValidationError(
                    _("%(where)s: %(field)s holds the control character %(char)s at position %(position)s; "
                      "no text may hold one (payment_ref and raw may hold line breaks and tabs).",
                      where=where, field=field, **exc.params)
                ) from None
            raise ValidationError(
                _("%(where)s: %(field)s must be a string of at most %(max)s characters.",
                  where=where, field=field, max=max_length)
            ) from None

    # ------------------------------------------------------------------
    # Preparing and creating lines
    # ------------------------------------------------------------------

    @api.model
    def _parse_amount(self, value, currency, where, field="amount"):
        """An amount (see :func:`parse_amount`) as a float rounded as the currency rounds;
        the rules refuse anything that rounding would change: money is never silently altered."""
        try:
            amount = parse_amount(value, currency.decimal_places)
        except BadValue as exc:
            params = dict(exc.params, where=where, field=field, value=self._shown(value), currency=currency.name)
            if exc.problem == "type":
                message = _('%(where)s: %(field)s must be a decimal string such as "12.30" (or an integer), '
                            "not %(value)s.", **params)
            elif exc.problem == "format":
                message = _("%(where)s: %(field)s %(value)s is not a decimal number: write it with ASCII digits, "
                            'an optional minus and an optional decimal point, such as "-1234.50".', **params)
            elif exc.problem == "range":
                message = _("%(where)s: %(field)s %(value)s is out of range: %(currency)s amounts must be "
                            "smaller than %(limit)s in magnitude.", **params)
            else:
                message = _("%(where)s: %(field)s %(value)s has more decimals than %(currency)s allows "
                            "(%(places)s).", **params)
            raise ValidationError(message) from None
        return float_round(float(amount), precision_rounding=currency.rounding)

    @api.model
    def _parse_date(self, value, where):
        try:
            return parse_date(value)
        except BadValue as exc:
            params = dict(exc.params, where=where, value=self._shown(value))
            if exc.problem == "no_such_day":
                message = _("%(where)s: date %(value)s does not exist.", **params)
            elif exc.problem == "range":
                message = _("%(where)s: date %(value)s is out of range: dates lie from %(first)s to %(last)s.",
                            **params)
            else:
                message = _("%(where)s: date must be a string YYYY-MM-DD.", **params)
            raise ValidationError(message) from None

    @api.model
    def _prepare_raw_record(self, raw, where):
        """``raw`` as the JSON text stored with the line, measured as stored."""
        for text in strings_in(raw):
            self._check_text(text, len(text), where, "raw", MULTILINE_CONTROLS)
        try:
            stored = json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ValidationError(_("%s: raw holds NaN or Infinity, which JSON cannot.", where)) from None
        except RecursionError:
            raise ValidationError(_("%s: raw nests too deeply.", where)) from None
        if len(stored) > MAX_RAW_CHARS:
            raise ValidationError(_("%(where)s: raw is larger than %(max)s characters.", where=where,
                                    max=MAX_RAW_CHARS))
        return stored

    @api.model
    def _prepare_statement_line_vals(self, journal, currency, line, index, source):
        where = f"lines[{index}]"
        if not isinstance(line, dict):
            raise ValidationError(_("%s must be a dict.", where))
        unknown = set(line) - _LINE_KEYS
        if unknown:
            raise ValidationError(
                _("%(where)s: unknown field(s) %(fields)s.", where=where,
                  fields=self._shown(sorted(unknown), limit=200))
            )
        for required in ("key", "date", "amount", "currency"):
            if required not in line:
                raise ValidationError(_("%(where)s: %(field)s is missing.", where=where, field=required))
        self._check_key(line["key"], where)
        where = _("%(where)s (key %(key)s)", where=where, key=line["key"])
        line_date = self._parse_date(line["date"], where)
        if line["currency"] != currency.name:
            raise ValidationError(
                _("%(where)s: the amount is in %(currency)s but journal %(journal)s keeps %(journal_currency)s.",
                  where=where, currency=self._shown(line["currency"]), journal=journal.code,
                  journal_currency=currency.name)
            )
        vals = {
            "journal_id": journal.id,
            "date": fields.Date.to_string(line_date),
            "amount": self._parse_amount(line["amount"], currency, where),
            "ledger_import_key": line["key"],
            "ledger_feed": source.get("feed"),
            "ledger_source_file": source.get("file"),
            "ledger_batch": source.get("batch"),
        }
        for name, (field_name, max_length) in _TEXT_FIELDS.items():
            value = line.get(name)
            if value is None or value == "":
                continue
            allowed = MULTILINE_CONTROLS if name == "payment_ref" else ""
            vals[field_name] = self._check_text(value, max_length, where, name, allowed)
        if "foreign_currency" in line or "amount_currency" in line:
            vals.update(self._prepare_foreign_amount(line, currency, where))
        vals.setdefault("payment_ref", vals.get("ledger_structured_ref") or "/")
        if line.get("statement") is not None:
            self._check_key(line["statement"], where)
            vals["statement"] = line["statement"]  # the key, taken off before the line is created
        if line.get("raw") is not None:
            vals["ledger_raw_record"] = self._prepare_raw_record(line["raw"], where)
        return vals

    @api.model
    def _prepare_foreign_amount(self, line, journal_currency, where):
        code = line.get("foreign_currency")
        foreign = (
            isinstance(code, str) and len(code) == 3 and code.isascii() and code.isalpha()
            # sudo: the robot need not read currencies to name one
            and self.env["res.currency"].sudo().with_context(active_test=False).search(
                [("name", "=", code)], limit=1)
        )
        if not foreign or "amount_currency" not in line:
            raise ValidationError(
                _("%s: foreign_currency (an ISO code Odoo knows) and amount_currency go together.", where))
        if foreign == journal_currency:
            return {}
        return {"foreign_currency_id": foreign.id,
                "amount_currency": self._parse_amount(line["amount_currency"], foreign, where, "amount_currency")}

    @api.model
    def _prepare_statements(self, statements, currency, source):
        """The statements of a push (see :meth:`push_statement_lines`), checked: ``{key: vals}``."""
        if statements is None:
            return {}
        if not isinstance(statements, dict):
            raise ValidationError(_("statements must be a dict of statement key to statement."))
        if len(statements) > MAX_BATCH:
            raise ValidationError(_("A push names at most %s statements.", MAX_BATCH))
        prepared = {}
        for key, statement in statements.items():
            self._check_key(key, _("statements"))
            where = _("statements[%s]", key)
            if not isinstance(statement, dict):
                raise ValidationError(_("%s must be a dict.", where))
            unknown = set(statement) - _STATEMENT_KEYS
            if unknown:
                raise ValidationError(_("%(where)s: unknown field(s) %(fields)s.", where=where,
                                        fields=self._shown(sorted(unknown), limit=200)))
            if "name" not in statement:
                raise ValidationError(_("%s: name is missing.", where))
            vals = {
                "name": self._check_text(statement["name"], MAX_STATEMENT_NAME, where, "name").strip() or "/",
                "ledger_import_key": key,
                "ledger_source_file": source.get("file"),
            }
            if statement.get("date") is not None:
                self._parse_date(statement["date"], where)  # checked; Odoo dates a statement by its lines
            for field, target in (("opening_balance", "balance_start"), ("closing_balance", "balance_end_real")):
                if statement.get(field) is not None:
                    vals[target] = self._parse_amount(statement[field], currency, where, field)
            prepared[key] = vals
        return prepared

    @api.model
    def _attach_statements(self, journal, created, joining, statement_vals):
        """The new lines join their statements: found by key in the company, or created with the
        file's balances. ``{key: statement_id}`` of every statement that got lines."""
        lines_by_statement = {}
        for line in created:
            key = joining.get(line.ledger_import_key)
            if key:
                lines_by_statement.setdefault(key, self.env["account.bank.statement.line"])
                lines_by_statement[key] |= line
        if not lines_by_statement:
            return {}
        Statement = self.env["account.bank.statement"].sudo().with_company(journal.company_id).with_context(
            mail_create_nosubscribe=True)
        found = {statement.ledger_import_key: statement for statement in Statement.search([
            ("ledger_import_key", "in", list(lines_by_statement)), ("company_id", "=", journal.company_id.id)])}
        result = {}
        for key, lines in lines_by_statement.items():
            vals = statement_vals[key]
            statement = found.get(key)
            if statement and statement.journal_id != journal:
                raise ValidationError(
                    _("Statement %(name)s (key %(key)s) belongs to journal %(other)s, not %(journal)s.",
                      name=statement.name, key=key, other=statement.journal_id.code, journal=journal.code))
            if statement:
                update = {"line_ids": [Command.link(line.id) for line in lines]}
                if "balance_end_real" in vals:
                    update["balance_end_real"] = vals["balance_end_real"]
                statement.write(update)
            else:
                statement = Statement.create(dict(vals, line_ids=[Command.set(lines.ids)]))
            result[key] = statement.id
        return result

    @api.model
    def _existing_lines(self, company, keys):
        if not keys:
            return {}
        self.env["account.bank.statement.line"].flush_model(["ledger_import_key", "ledger_company_id"])
        self.env.cr.execute(
            """
            SELECT ledger_import_key, id FROM account_bank_statement_line
             WHERE ledger_company_id = %s AND ledger_import_key IN %s
            """,
            (company.id, tuple(keys)),
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _link_partners(self, vals_list, company):
        """Set the partner of each new line whose counterparty account is known, in one query."""
        numbers = {
            sanitize_account_number(vals["account_number"]): vals
            for vals in vals_list
            if vals.get("account_number")
        }
        if not numbers:
            return
        banks = self.env["res.partner.bank"].sudo().search([
            ("sanitized_acc_number", "in", list(numbers)),
            ("company_id", "in", [False, company.id]),
        ])
        partners_by_number = {}
        for bank in banks:
            partner = bank.partner_id.commercial_partner_id
            partners_by_number.setdefault(bank.sanitized_acc_number, set()).add(partner.id)
        for vals in vals_list:
            number = vals.get("account_number") and sanitize_account_number(vals["account_number"])
            partners = partners_by_number.get(number)
            if partners and len(partners) == 1:
                vals["partner_id"] = next(iter(partners))

    @api.model
    def _push_statement_lines_hook(self, journal, lines, source):
        """Extension point: called with the lines a push created."""
