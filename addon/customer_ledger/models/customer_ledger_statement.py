# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statements of account: what a commercial customer owed one company over a period, for the
customer to confirm or dispute.

The figures come from the posted receivable journal items (account type ``asset_receivable``) of
the commercial customer and its contacts in the statement's company, computed set-wise in SQL for
many statements at once (one pass per company):

- the opening balance is everything dated before the period; the lines are the items dated in the
  period, with a running balance; the closing balance is the opening plus debits minus credits;
- the aging is what is still open on the closing date, by days past due on that date, partial
  reconciliations counting only up to that date (``account_partial_reconcile.max_date``): the
  buckets add up to the closing balance.

Currency rule: a statement is in the company's currency, unless every *relevant* receivable item
of the customer in the company is in one and the same foreign currency; then it is in that
currency, its amounts are the items' ``amount_currency`` and only items in that currency count.
Relevant items are those dated up to the closing date that either fall in the period or are still
open (in the company's or their own currency) on the eve of the period: history settled before the
period does not prevent a foreign statement. In a foreign statement the opening balance is what is
open in that currency on the eve of the period (the same as the sum of the earlier items, when
they were settled in that currency).
"""
import logging
import os
from datetime import date

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from ..lib.portal_attachment import MAX_BYTES, check_attachment
from ..lib.statement_periods import FREQUENCIES, last_ended_period
from ..lib.text import has_control_characters
from .customer_ledger_aging import aging_thresholds, open_items_query
from .res_company import aging_bucket_days

_logger = logging.getLogger(__name__)

STATEMENT_STATES = [("draft", "Draft"), ("sent", "Sent"), ("confirmed", "Confirmed"), ("disputed", "Disputed"),
                    ("resolved", "Resolved")]
RESOLUTION_OUTCOMES = [("credit_note", "Credit Note Issued"), ("payment_found", "Payment Found"),
                       ("customer_mistaken", "Customer Mistaken"), ("other", "Other")]
LINE_KINDS = [("invoice", "Invoice"), ("credit_note", "Credit Note"), ("payment", "Payment"), ("other", "Other")]
TEXT_MAX = 4000
NAME_MAX = 128

MAIL_TEMPLATE = "customer_ledger.customer_ledger_statement_mail_template"
DISPUTE_ACTIVITY = "customer_ledger.mail_activity_type_statement_dispute"
MAIL_LAYOUT = "mail.mail_notification_light"

ACCOUNTANT_GROUPS = ("customer_ledger.group_reconciliation_accountant", "account.group_account_manager")

# Set by the statement's own steps and figures (as superuser or in SQL, after their checks).
SYSTEM_FIELDS = frozenset((
    "name", "state", "currency_id", "opening_balance", "total_debit", "total_credit", "closing_balance",
    "line_ids", "aging_ids", "sent_date", "confirmed_date", "confirmed_balance", "confirmed_by",
    "disputed_date", "resolved_date", "resolved_by", "company_id",
    "portal_answer_name", "portal_partner_id", "origin_statement_id", "corrected_statement_id",
))
# What an accountant may change by hand, by state; other fields of the statement stay as they are.
EDITABLE = {
    "draft": frozenset(("partner_id", "date_from", "date_to", "note", "user_id")),
    "sent": frozenset(("note", "dispute_comment", "user_id")),
    "confirmed": frozenset(),
    "disputed": frozenset(("resolution_outcome", "resolution_note", "user_id")),
    "resolved": frozenset(),
}
STATEMENT_FIELDS = SYSTEM_FIELDS.union(*EDITABLE.values())
# Changing these on a draft computes its figures again.
FIGURE_INPUTS = frozenset(("partner_id", "date_from", "date_to"))

# ---------------------------------------------------------------------------
# SQL: one pass per company for any number of statements (each its own customer and period).
# ---------------------------------------------------------------------------

# The receivable items of each statement's customer up to its closing date, with what was still
# open of each on the eve of the period and on the closing date (see customer_ledger_aging.py).
_ITEMS_DROP = "DROP TABLE IF EXISTS customer_ledger_statement_item"
_ITEMS = """
CREATE TEMP TABLE customer_ledger_statement_item ON COMMIT DROP AS
SELECT o.request_id AS statement_id, o.*,
       -- in the statement's currency, once it is chosen
       0::numeric AS amount, 0::numeric AS opening_part, 0::numeric AS open_to
  FROM (""" + open_items_query("""
    SELECT * FROM unnest(%(ids)s::int[], %(partners)s::int[], %(froms)s::date[], %(tos)s::date[])
        AS st(request_id, partner_id, date_from, date_to)
""") + """) AS o
"""
# The currencies of each statement's relevant items (see the module's docstring).
_CURRENCIES = """
SELECT statement_id, array_agg(DISTINCT currency_id)
  FROM customer_ledger_statement_item
 WHERE date >= date_from OR open_from_bal <> 0 OR open_from_cur <> 0
 GROUP BY statement_id
"""
_SET_CURRENCY = """
UPDATE customer_ledger_statement s
   SET currency_id = v.currency_id
  FROM unnest(%(ids)s::int[], %(currencies)s::int[]) AS v(statement_id, currency_id)
 WHERE s.id = v.statement_id
"""
# Items in another currency than a foreign statement's leave; the others take their amounts in it.
_AMOUNTS = """
DELETE FROM customer_ledger_statement_item i
 USING customer_ledger_statement s
 WHERE s.id = i.statement_id AND s.currency_id <> %(company_currency)s AND i.currency_id <> s.currency_id;
UPDATE customer_ledger_statement_item i
   SET amount = CASE WHEN s.currency_id = %(company_currency)s THEN i.balance ELSE i.amount_currency END,
       opening_part = CASE WHEN s.currency_id = %(company_currency)s THEN i.balance ELSE i.open_from_cur END,
       open_to = CASE WHEN s.currency_id = %(company_currency)s THEN i.open_to_bal ELSE i.open_to_cur END
  FROM customer_ledger_statement s
 WHERE s.id = i.statement_id
"""
_TOTALS = """
WITH figures AS (
    SELECT s.id,
           COALESCE(SUM(i.opening_part) FILTER (WHERE i.date < s.date_from), 0) AS opening,
           COALESCE(SUM(GREATEST(i.amount, 0)) FILTER (WHERE i.date >= s.date_from), 0) AS debit,
           COALESCE(SUM(GREATEST(-i.amount, 0)) FILTER (WHERE i.date >= s.date_from), 0) AS credit
      FROM customer_ledger_statement s
      LEFT JOIN customer_ledger_statement_item i ON i.statement_id = s.id
     WHERE s.id = ANY(%(ids)s)
     GROUP BY s.id
)
UPDATE customer_ledger_statement s
   SET opening_balance = f.opening, total_debit = f.debit, total_credit = f.credit,
       closing_balance = f.opening + f.debit - f.credit
  FROM figures f
 WHERE f.id = s.id
"""
_LINES = """
INSERT INTO customer_ledger_statement_line (
    statement_id, sequence, date, move_id, kind, reference, date_maturity, debit, credit, balance, disputed,
    create_uid, create_date, write_uid, write_date)
SELECT i.statement_id, ROW_NUMBER() OVER w, i.date, i.move_id,
       CASE WHEN i.move_type IN ('out_invoice', 'out_receipt') THEN 'invoice'
            WHEN i.move_type = 'out_refund' THEN 'credit_note'
            WHEN i.is_payment THEN 'payment'
            ELSE 'other' END,
       COALESCE(NULLIF(i.ref, ''), NULLIF(i.name, '')),
       i.date_maturity, GREATEST(i.amount, 0), GREATEST(-i.amount, 0),
       s.opening_balance + SUM(i.amount) OVER w, FALSE,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM customer_ledger_statement_item i
  JOIN customer_ledger_statement s ON s.id = i.statement_id
 WHERE i.date >= s.date_from AND i.amount <> 0
WINDOW w AS (PARTITION BY i.statement_id ORDER BY i.date, i.move_id, i.line_id)
"""
# Every bucket of every statement, empty ones included. width_bucket() over the thresholds
# [1, b1 + 1, b2 + 1, ...] gives 0 for not yet due, 1 for 1..b1 days past due, and so on
# (customer_ledger_aging.aging_thresholds, as the aging report and the credit files). Each bucket
# keeps its days past due (res_company.aging_bucket_days), named in the reader's language.
_AGING = """
INSERT INTO customer_ledger_statement_aging (
    statement_id, sequence, days_from, days_to, amount, create_uid, create_date, write_uid, write_date)
SELECT s.id, b.idx, (%(days_from)s::int[])[b.idx + 1], (%(days_to)s::int[])[b.idx + 1], COALESCE(SUM(i.open_to), 0),
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM customer_ledger_statement s
 CROSS JOIN generate_series(0, %(last)s) AS b(idx)
  LEFT JOIN customer_ledger_statement_item i
         ON i.statement_id = s.id AND i.open_to <> 0
        AND width_bucket(s.date_to - COALESCE(i.date_maturity, i.date), %(thresholds)s::int[]) = b.idx
 WHERE s.id = ANY(%(ids)s)
 GROUP BY s.id, b.idx
"""
# Commercial customers with a receivable balance at date_to, or items in the period.
_CUSTOMERS_WITH_ACTIVITY = """
SELECT p.commercial_partner_id
  FROM account_move_line l
  JOIN res_partner p ON p.id = l.partner_id
  JOIN account_account a ON a.id = l.account_id
 WHERE l.company_id = %(company_id)s AND l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
   AND l.date <= %(date_to)s
 GROUP BY p.commercial_partner_id
HAVING bool_or(l.date >= %(date_from)s) OR ROUND(SUM(l.balance), %(digits)s) <> 0
"""


def check_accountant(env, message):
    """Raise ``AccessError(message)`` unless the user is a Reconciliation Accountant, an account
    manager, or superuser."""
    if not env.su and not any(env.user.has_group(group) for group in ACCOUNTANT_GROUPS):
        raise AccessError(message)


class CustomerLedgerStatement(models.Model):
    """A statement of account of one commercial customer with one company over a period."""

    _name = "customer.ledger.statement"
    _description = "Statement of Account"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "customer.ledger.state.guard"]
    _order = "date_to desc, id desc"
    _ledger_system_fields = SYSTEM_FIELDS
    _ledger_editable = EDITABLE
    _ledger_guarded_fields = STATEMENT_FIELDS
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default=lambda self: _("New"))
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True,
                                 check_company=True, domain="[('parent_id', '=', False)]")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", readonly=True, required=True,
                                  default=lambda self: self.env.company.currency_id,
                                  help="The company's currency, or the customer's own where all its open and recent "
                                  "receivable items are in one foreign currency.")
    date_from = fields.Date(string="Period Start", required=True, tracking=True)
    date_to = fields.Date(string="Period End", required=True, tracking=True)
    state = fields.Selection(STATEMENT_STATES, default="draft", required=True, readonly=True, copy=False,
                             tracking=True, index=True)
    user_id = fields.Many2one("res.users", string="Responsible", default=lambda self: self._default_user_id(),
                              index=True, groups="base.group_user",
                              tracking=True, domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
                              help="The accountant who follows the customer's answer: a dispute becomes their "
                              "activity (else the statement's creator's).")
    mail_partner_id = fields.Many2one("res.partner", string="Send To", compute="_compute_mail_partner_id",
                                      help="Where the statement is emailed: the customer's invoice address, or "
                                      "the customer when that address has no email.")
    note = fields.Text(help="Internal note.", groups="base.group_user")
    opening_balance = fields.Monetary(readonly=True, copy=False, help="Everything dated before the period.")
    total_debit = fields.Monetary(string="Debits", readonly=True, copy=False)
    total_credit = fields.Monetary(string="Credits", readonly=True, copy=False)
    closing_balance = fields.Monetary(readonly=True, copy=False, help="Opening balance plus debits minus credits.")
    line_ids = fields.One2many("customer.ledger.statement.line", "statement_id", string="Lines", copy=False)
    aging_ids = fields.One2many("customer.ledger.statement.aging", "statement_id", readonly=True,
                                copy=False)
    sent_date = fields.Date(readonly=True, copy=False)
    confirmed_date = fields.Date(readonly=True, copy=False, tracking=True)
    confirmed_balance = fields.Monetary(readonly=True, copy=False, tracking=True,
                                        help="The closing balance the customer agreed to.")
    confirmed_by = fields.Many2one("res.users", readonly=True, copy=False, groups="base.group_user",
                                   help="Who recorded the confirmation.")
    dispute_comment = fields.Text(copy=False, help="What the customer disputes.")
    disputed_date = fields.Date(readonly=True, copy=False)
    disputed_line_count = fields.Integer(compute="_compute_disputed_line_count", string="Disputed Lines")
    resolution_outcome = fields.Selection(RESOLUTION_OUTCOMES, copy=False, tracking=True, groups="base.group_user")
    resolution_note = fields.Text(copy=False, groups="base.group_user")
    resolved_date = fields.Date(readonly=True, copy=False)
    resolved_by = fields.Many2one("res.users", readonly=True, copy=False, groups="base.group_user")
    portal_answer_name = fields.Char(string="Answered by", readonly=True, copy=False,
                                     help="The name the customer gave when answering on the portal.")
    portal_partner_id = fields.Many2one("res.partner", string="Answered via Portal by", readonly=True, copy=False,
                                        help="The portal user (or, through the emailed link, the customer) who "
                                        "answered on the portal.")
    origin_statement_id = fields.Many2one("customer.ledger.statement", string="Corrects", readonly=True, copy=False,
                                          index="btree_not_null",
                                          help="The disputed statement this one was issued to correct.")
    corrected_statement_id = fields.Many2one("customer.ledger.statement", string="Corrected by", readonly=True,
                                             copy=False, help="The statement issued to correct this one.")

    _sql_constraints = [
        ("period_check", "CHECK(date_from <= date_to)", "A statement's period cannot start after it ends."),
    ]

    @api.model
    def _default_user_id(self):
        """The current user, unless it is no person of the company (OdooBot running the scheduled
        action): then an accountant of the company (``res.company._ledger_pick_user``), or nobody."""
        return self.env.company._ledger_pick_user((self.env.user,))

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for statement in self:
            statement.access_url = f"/my/statements/{statement.id}"

    @api.depends("partner_id")
    def _compute_mail_partner_id(self):
        for statement in self:
            partner = statement.partner_id
            statement.mail_partner_id = partner and partner._ledger_mail_recipient()

    @api.depends("line_ids.disputed")
    def _compute_disputed_line_count(self):
        for statement in self:
            statement.disputed_line_count = len(statement.line_ids.filtered("disputed"))

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for statement in self:
            if statement.partner_id != statement.partner_id.commercial_partner_id:
                raise ValidationError(_("A statement is made for the customer's company (%s), not a contact.",
                                        statement.partner_id.commercial_partner_id.display_name))

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model
    def _check_accountant(self):
        check_accountant(self.env, _("Only Reconciliation Accountants and account managers change statements of "
                                     "account."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_accountant()
        Partners = self.env["res.partner"]
        for vals in vals_list:
            if not self.env.su:
                for name in SYSTEM_FIELDS - {"company_id"}:
                    vals.pop(name, None)
            if vals.get("partner_id"):
                vals["partner_id"] = Partners.browse(vals["partner_id"]).commercial_partner_id.id
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals["company_id"] = company.id
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "customer.ledger.statement", sequence_date=vals.get("date_to")) or _("New")
        statements = super().create(vals_list)
        statements._ledger_compute_figures()
        return statements

    def write(self, vals):
        self._check_accountant()
        if not self.env.su and "line_ids" in vals:
            vals = dict(vals)
            self._ledger_write_line_marks(vals.pop("line_ids"))
            if not vals:
                return True
        self._ledger_check_editable(vals, _("The state and figures of a statement are set by its buttons."))
        if vals.get("partner_id"):
            vals = dict(vals, partner_id=self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id)
        result = super().write(vals)
        if FIGURE_INPUTS & set(vals):
            self.filtered(lambda s: s.state == "draft")._ledger_compute_figures()
        return result

    def _ledger_write_line_marks(self, commands):
        """Apply the form's line commands: only updates of the dispute marks of the statements'
        own lines (the lines themselves come from the journal items)."""
        Lines = self.env["customer.ledger.statement.line"]
        for command in commands or []:
            if not (isinstance(command, list | tuple) and command and command[0] in (Command.UPDATE, Command.LINK)):
                raise UserError(_("Statement lines come from the journal items: refresh the draft statement."))
            line = Lines.browse(command[1])
            if line not in self.line_ids:
                raise UserError(_("These lines belong to another statement."))
            if command[0] == Command.UPDATE:
                line.write(command[2])  # checks the fields and the state

    def unlink(self):
        self._check_accountant()
        if any(statement.state != "draft" for statement in self):
            raise UserError(_("Only draft statements can be deleted; sent ones are kept as a record."))
        return super().unlink()

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def _ledger_compute_figures(self):
        """(Re)compute currency, opening and closing balances, lines and aging of the statements:
        a few set-wise queries per company, whatever the number of statements. Lines and aging are
        replaced (dispute marks included: only drafts are computed again)."""
        if not self:
            return
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM customer_ledger_statement_line WHERE statement_id = ANY(%s)", [self.ids])
        cr.execute("DELETE FROM customer_ledger_statement_aging WHERE statement_id = ANY(%s)", [self.ids])
        for company in self.company_id:
            statements = self.filtered(lambda s, company=company: s.company_id == company)
            statements._ledger_compute_company_figures(company)
        self.invalidate_recordset()
        self.env["customer.ledger.statement.line"].invalidate_model()
        self.env["customer.ledger.statement.aging"].invalidate_model()

    def _ledger_compute_company_figures(self, company):
        """The figures of statements all of ``company``, in one pass (see the module's docstring)."""
        cr = self.env.cr
        company_currency = company.currency_id
        bounds = company._ledger_statement_aging_bounds()
        days = aging_bucket_days(bounds)
        params = {
            "ids": self.ids, "partners": [s.partner_id.id for s in self],
            "froms": [s.date_from for s in self], "tos": [s.date_to for s in self], "company_id": company.id,
            "company_currency": company_currency.id, "uid": self.env.uid,
            "days_from": [low for low, _high in days], "days_to": [high for _low, high in days],
            "last": len(bounds) + 1, "thresholds": aging_thresholds(bounds),
        }
        cr.execute(_ITEMS_DROP)
        cr.execute(_ITEMS, params)
        cr.execute(_CURRENCIES)
        relevant = dict(cr.fetchall())
        currencies = []
        for statement in self:
            found = relevant.get(statement.id) or []
            currencies.append(found[0] if len(found) == 1 else company_currency.id)
        cr.execute(_SET_CURRENCY, dict(params, currencies=currencies))
        cr.execute(_AMOUNTS, params)
        cr.execute(_TOTALS, params)
        cr.execute(_LINES, params)
        cr.execute(_AGING, params)
        cr.execute(_ITEMS_DROP)

    @api.model
    def _ledger_generate(self, partners, date_from, date_to, company=None, user=None):
        """Draft statements of ``partners`` (their commercial customers) for the period, in
        ``company`` (default: the current one), new ones with ``user`` responsible (default: the
        current user, or an accountant of the company for OdooBot: see ``_default_user_id``). A
        customer's draft of the same period is computed again rather than made
        twice. All figures in one pass. Returns the statements."""
        self._check_accountant()
        if date_from > date_to:
            raise UserError(_("A statement's period cannot start after it ends."))
        company = company or self.env.company
        customers = partners.commercial_partner_id
        existing = self.search([("company_id", "=", company.id), ("partner_id", "in", customers.ids),
                                ("date_from", "=", date_from), ("date_to", "=", date_to), ("state", "=", "draft")])
        existing._ledger_compute_figures()
        missing = customers - existing.partner_id
        created = self.with_company(company).create([
            {"partner_id": partner.id, "company_id": company.id, "date_from": date_from, "date_to": date_to,
             **({"user_id": user.id} if user else {})}
            for partner in missing])
        return existing | created

    @api.model
    def _ledger_customers_with_activity(self, date_from, date_to, company=None):
        """Commercial customers with a receivable balance on ``date_to`` or items in the period."""
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(_CUSTOMERS_WITH_ACTIVITY, {
            "company_id": company.id, "date_from": date_from, "date_to": date_to,
            "digits": company.currency_id.decimal_places})
        return self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])

    # ------------------------------------------------------------------
    # Scheduled statements
    # ------------------------------------------------------------------

    @api.model
    def _cron_ledger_statements(self, commit=True, today=None):
        """Every company's statements of the periods just ended, by each customer's frequency (its
        tier's, or the company's for customers without a tier): see ``_ledger_schedule_company``.
        ``today`` (a date, default: today) says which periods have ended. Commits per company when
        ``commit``; a company that fails is logged and rolled back, and the others go on. Returns the
        statements made."""
        self._check_accountant()
        if today is None:
            today = fields.Date.context_today(self)
        elif not isinstance(today, date):
            raise ValidationError(_("The day to schedule statements for is a date."))
        made = self.browse()
        for company in self.env["res.company"].search([]):
            try:
                with self.env.cr.savepoint():
                    made |= self.with_company(company)._ledger_schedule_company(company, today)
            except Exception:
                _logger.exception("Scheduled statements of %s not made", company.name)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return made

    @api.model
    def _ledger_schedule_company(self, company, today):
        """The statements of ``company`` for the last ended period of each frequency: one per
        customer with a balance or activity in it whose frequency it is, unless the customer already
        has one for that period (whatever its state); made in one set per period, then sent when the
        company sends scheduled statements. A period is run once (``customer.ledger.statement.schedule``):
        a draft deleted is not made again, nor are statements of customers active in it later."""
        frequencies = self._ledger_customer_frequencies(company)
        # never OdooBot, which runs the scheduled action: it would sign and send the emails
        responsible = company._ledger_pick_user((company.ledger_statement_user_id,))
        used = set(frequencies.values()) | {company.ledger_statement_frequency}
        Runs = self.env["customer.ledger.statement.schedule"].sudo()
        made = self.browse()
        for frequency in FREQUENCIES:
            if frequency not in used:
                continue
            period = last_ended_period(frequency, today)
            run = {"company_id": company.id, "frequency": frequency, "date_from": period[0], "date_to": period[1]}
            if Runs.search_count([(name, "=", value) for name, value in run.items()], limit=1):
                continue
            customers = self._ledger_customers_with_activity(*period, company=company).filtered(
                lambda partner, frequency=frequency: frequencies.get(
                    partner.id, company.ledger_statement_frequency) == frequency
                and (not partner.company_id or partner.company_id == company))
            customers -= self.search([("company_id", "=", company.id), ("partner_id", "in", customers.ids),
                                      ("date_from", "=", period[0]), ("date_to", "=", period[1])]).partner_id
            if customers:
                made |= self._ledger_generate(customers, *period, company=company, user=responsible)
            Runs.create(run)
        if made and company.ledger_statement_auto_send:
            made._ledger_send_scheduled()
        return made

    @api.model
    def _ledger_customer_frequencies(self, company):
        """{commercial customer id: its tier's statement frequency} in ``company``, for the customers
        with a tier."""
        profiles = self.env["customer.ledger.profile"].sudo().search_read(
            [("company_id", "=", company.id), ("tier_id", "!=", False)], ["partner_id", "tier_id"])
        tiers = self.env["customer.ledger.tier"].sudo().with_context(active_test=False).browse(
            {profile["tier_id"][0] for profile in profiles})
        frequency = {tier.id: tier.statement_frequency for tier in tiers}
        return {profile["partner_id"][0]: frequency[profile["tier_id"][0]] for profile in profiles}

    def _ledger_send_scheduled(self):
        """Send the statements one by one: one that cannot be sent (a customer without an email
        address, say, or any error) stays a draft, with a note saying why, and the others go."""
        for statement in self:
            try:
                with self.env.cr.savepoint():
                    statement.action_send()
            except Exception as error:  # noqa: BLE001 (a user's error is expected, others are logged in full)
                log = _logger.warning if isinstance(error, UserError) else _logger.exception
                log("Scheduled statement %s (%s) not sent: %s", statement.name, statement.partner_id.display_name,
                    error)
                statement.message_post(body=_("Not sent automatically: %s", error), subtype_xmlid="mail.mt_note")

    def action_refresh(self):
        """Compute the figures of drafts again, from the journal items as they are now."""
        self._check_state(("draft",), _("refreshed"))
        self._ledger_compute_figures()
        return True

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def _check_state(self, states, action):
        """Raise unless the user may change the statements and each is in one of ``states``."""
        self._check_accountant()
        self._ledger_check_state(states, action)

    @api.model
    def _check_text(self, text, what):
        if text is not None and not isinstance(text, str):
            raise ValidationError(_("The %s is text.", what))
        return (text or "").strip()[:TEXT_MAX]

    def action_send(self):
        """Email each draft to its customer's invoice address, with the PDF and a link to answer on
        the portal, and mark it sent. Nothing is sent unless every customer has an email."""
        self._check_state(("draft",), _("sent"))
        self._ledger_check_mail_recipients()
        self._ledger_check_mail_sender()
        self._ledger_send_mail()
        self._ledger_mark_sent()
        return True

    def action_send_mail(self):
        """Open the mail composer on the statement's email (its PDF attached): sending marks a
        draft sent."""
        self.ensure_one()
        self._check_state(("draft", "sent"), _("sent"))
        self._ledger_check_mail_recipients()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": self.env.ref(MAIL_TEMPLATE).id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": MAIL_LAYOUT,
                "mark_statement_as_sent": True,
                "force_email": True,
            },
        }

    def action_preview(self):
        """The statement as the customer sees it on the portal."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    def message_post(self, **kwargs):
        if self.env.context.get("mark_statement_as_sent"):
            drafts = self.filtered(lambda statement: statement.state == "draft")
            drafts._check_state(("draft",), _("sent"))
            drafts._ledger_mark_sent()
        return super().message_post(**kwargs)

    def _ledger_check_mail_recipients(self):
        """Refuse the statements, all of them, if a customer has no address to send to (see
        ``res.partner._ledger_mail_recipient``)."""
        missing = self.filtered(lambda statement: not statement.mail_partner_id.email)
        if missing:
            names = self.env["customer.ledger.credit.file"]._ledger_name_some(
                missing.partner_id.sorted("name").mapped("display_name"))
            raise UserError(_("No statement was sent: add an email address to %s or its invoice address.", names))

    def _ledger_check_mail_sender(self):
        """Refuse the statements, all of them, if one has no address to come from (see
        :meth:`_ledger_mail_from`): the mail composer would send it as OdooBot."""
        missing = self.filtered(lambda statement: not statement._ledger_mail_from())
        if missing:
            raise UserError(_("No statement was sent: give an email address to the responsible of %s, or to the "
                              "company.", ", ".join(missing.mapped("name"))))

    def _ledger_send_mail(self):
        """Post each statement's email (its template, the PDF attached) in its chatter, to the
        customer's invoice address; the mail queue sends them."""
        self.message_post_with_source(self.env.ref(MAIL_TEMPLATE), message_type="comment",
                                      subtype_xmlid="mail.mt_comment", email_layout_xmlid=MAIL_LAYOUT,
                                      force_send=False)

    def _ledger_mail_from(self):
        """Whom the statement's email comes from: its responsible, else the company, else the user
        sending it, but never OdooBot (the scheduled action's): without an address, it is not sent."""
        self.ensure_one()
        user = self.env.user
        return (self.user_id.email_formatted or self.company_id.email_formatted
                or ("" if user._is_superuser() else user.email_formatted))

    def _ledger_mark_sent(self):
        self.sudo().write({"state": "sent", "sent_date": fields.Date.context_today(self)})

    def _get_report_base_filename(self):
        self.ensure_one()
        return _("Statement %s", self.name)

    # ------------------------------------------------------------------
    # The customer's answer, recorded by an accountant (buttons) or given on the portal
    # ------------------------------------------------------------------

    def action_confirm(self):
        """The customer agrees with the statement: keep the date and the balance it confirmed."""
        self._check_state(("sent",), _("confirmed"))
        self._ledger_confirm()
        return True

    def action_dispute(self, comment=None, line_ids=None):
        """The customer disputes the statement: ``comment`` (or else the statement's Dispute
        Comment) says why; ``line_ids``, lines of the statement, are marked disputed with it, as
        are lines already ticked."""
        lines = self._ledger_check_lines([] if line_ids is None else line_ids)
        comment = self._check_text(comment, _("dispute comment"))
        self._check_state(("sent",), _("disputed"))
        self._ledger_dispute(comment, lines)
        return True

    @api.model
    def _ledger_check_lines(self, line_ids):
        """The statement lines of ``line_ids``, a list of ids (given over RPC or by the portal's form)."""
        if not isinstance(line_ids, list | tuple) or not all(isinstance(i, int) for i in line_ids):
            raise ValidationError(_("The disputed lines are a list of line ids."))
        return self.env["customer.ledger.statement.line"].browse(line_ids)

    def _ledger_confirm(self, answer=None, post_values=None):
        """Confirm the sent statements: the date and the closing balance agreed. ``answer`` adds to
        what is written (who answered on the portal); ``post_values``, if any, are a message to post.
        The caller checked who may confirm (an accountant, or the customer's access token)."""
        self._ledger_check_state(("sent",), _("confirmed"))
        today = fields.Date.context_today(self)
        for statement in self:
            statement.sudo().write(dict({
                "state": "confirmed", "confirmed_date": today, "confirmed_by": self.env.uid,
                "confirmed_balance": statement.closing_balance}, **(answer or {})))
            if post_values:
                statement.message_post(**post_values)

    def _ledger_dispute(self, comment, lines, answer=None, post_values=None):
        """Mark the sent statements disputed: ``lines`` (of theirs) and the lines already ticked are
        disputed with ``comment`` (or else the statement's Dispute Comment), the chatter says so
        (``post_values`` add its author, attachments), and the responsible accountant gets an
        activity. ``answer`` adds to what is written (who answered on the portal). The caller
        checked who may dispute (an accountant, or the customer's access token)."""
        self._ledger_check_state(("sent",), _("disputed"))
        if lines - self.line_ids:
            raise ValidationError(_("Disputed lines belong to the statement disputed."))
        for statement in self:
            reason = comment or (statement.dispute_comment or "").strip()[:TEXT_MAX]
            if not reason:
                raise UserError(_("Say what the customer disputes on %s.", statement.name))
            disputed = statement.line_ids.filtered(lambda line, given=lines: line in given or line.disputed)
            disputed.sudo().write({"disputed": True})
            disputed.filtered(lambda line: not line.dispute_comment).sudo().write({"dispute_comment": reason})
            statement.sudo().write(dict({"state": "disputed", "dispute_comment": reason,
                                         "disputed_date": fields.Date.context_today(self)}, **(answer or {})))
            if answer:
                body = _("Disputed on the portal by %(name)s (%(count)s line(s)): %(reason)s",
                         name=answer["portal_answer_name"], count=len(disputed), reason=reason)
            else:
                body = _("Disputed by the customer (%(count)s line(s)): %(reason)s", count=len(disputed),
                         reason=reason)
            statement.message_post(body=body, subtype_xmlid="mail.mt_note", **(post_values or {}))
            statement._ledger_schedule_dispute_activity(reason)

    def _ledger_responsible(self):
        """Who answers for the statement: its Responsible, else its creator, else the company's
        responsible for scheduled statements, else an accountant of the company
        (``res.company._ledger_pick_user``): never OdooBot."""
        self.ensure_one()
        return self.company_id._ledger_pick_user(
            (self.user_id, self.create_uid, self.company_id.ledger_statement_user_id))

    def _ledger_schedule_dispute_activity(self, reason):
        """A "Statement Disputed" activity, due today, for the statement's responsible accountant
        (else its creator); done when the dispute is resolved."""
        self.ensure_one()
        user = self._ledger_responsible()
        self.activity_schedule(DISPUTE_ACTIVITY, date_deadline=fields.Date.context_today(self),
                               summary=_("Statement disputed"), note=plaintext2html(reason), user_id=user.id)

    def action_resolve(self, outcome=None, note=None, corrected=False):
        """Close a dispute with its ``outcome`` (or else the statement's) and a ``note`` (or else
        the statement's Resolution Note): needed for the outcome "other". With ``corrected``, issue
        a corrected statement of each (see :meth:`_ledger_issue_corrected`) and open them."""
        if outcome is not None and outcome not in dict(RESOLUTION_OUTCOMES):
            raise ValidationError(_("Unknown outcome: %s.", outcome))
        if not isinstance(corrected, bool):
            raise ValidationError(_("Whether to issue a corrected statement is true or false."))
        note = self._check_text(note, _("resolution note"))
        self._check_state(("disputed",), _("resolved"))
        for statement in self:
            how = outcome or statement.resolution_outcome
            why = note or (statement.resolution_note or "").strip()[:TEXT_MAX]
            if not how:
                raise UserError(_("Choose how the dispute on %s was resolved.", statement.name))
            if how == "other" and not why:
                raise UserError(_("Say how the dispute on %s was resolved.", statement.name))
            statement.sudo().write({"state": "resolved", "resolution_outcome": how, "resolution_note": why or False,
                                    "resolved_date": fields.Date.context_today(self), "resolved_by": self.env.uid})
            outcome_label = dict(self._fields["resolution_outcome"]._description_selection(self.env))[how]
            statement.message_post(body=_("Dispute resolved: %(outcome)s. %(note)s", outcome=outcome_label,
                                          note=why), subtype_xmlid="mail.mt_note")
            statement.activity_feedback([DISPUTE_ACTIVITY], feedback=_("Resolved: %s", outcome_label))
        if corrected:
            return self._ledger_issue_corrected()
        return True

    def action_resolve_corrected(self):
        """Resolve the dispute and issue a corrected statement."""
        return self.action_resolve(corrected=True)

    def _ledger_issue_corrected(self):
        """New draft statements of the same customers, companies and periods, computed from the
        journal items as they are now (after a credit note, say), each linked both ways to the
        statement it corrects; returns the action that opens them."""
        corrected = self.create([{
            "partner_id": statement.partner_id.id, "company_id": statement.company_id.id,
            "date_from": statement.date_from, "date_to": statement.date_to,
            "user_id": statement.user_id.id} for statement in self])
        for statement, new in zip(self, corrected, strict=True):
            new.sudo().write({"origin_statement_id": statement.id})
            statement.sudo().write({"corrected_statement_id": new.id})
            statement.message_post(body=_("Corrected by %s.", new._get_html_link()), subtype_xmlid="mail.mt_note")
            new.message_post(body=_("Issued to correct %s.", statement._get_html_link()),
                             subtype_xmlid="mail.mt_note")
        return corrected._ledger_action_open()

    def _ledger_action_open(self):
        """The action that opens these statements: the form of one, the list of several."""
        action = self.env["ir.actions.actions"]._for_xml_id("customer_ledger.customer_ledger_statement_action")
        action.update(domain=[("id", "in", self.ids)], context={})
        if len(self) == 1:
            action.update(view_mode="form", res_id=self.id, views=[(False, "form")])
        return action

    def action_reset_draft(self):
        """A statement sent but not answered yet goes back to draft, to be refreshed; the
        customer's answer (confirmed, disputed, resolved) stays on record."""
        self._check_state(("sent",), _("reset to draft"))
        self.sudo().write({"state": "draft", "sent_date": False})
        self._ledger_compute_figures()
        return True

    # ------------------------------------------------------------------
    # Portal: the customer answers, its access checked by the controller (token or record rules)
    # ------------------------------------------------------------------

    def _ledger_portal_answer(self, name, user):
        """Who answers on the portal: the ``name`` they give and the partner of ``user``, the portal
        user, or the customer itself when answering through the emailed link without logging in."""
        self.ensure_one()
        if not isinstance(name, str) or not name.strip():
            raise UserError(_("Give your name."))
        if len(name.strip()) > NAME_MAX:
            raise ValidationError(_("Your name is at most %s characters long.", NAME_MAX))
        if has_control_characters(name):
            raise ValidationError(_("Your name holds a control character (such as NUL): type it again."))
        partner = self.partner_id if user._is_public() else user.partner_id
        return {"portal_answer_name": name.strip(), "portal_partner_id": partner.id}

    def _ledger_portal_confirm(self, name, user):
        """The customer confirms the statement on the portal (see :meth:`_ledger_portal_answer`)."""
        self.ensure_one()
        answer = self._ledger_portal_answer(name, user)
        answer["confirmed_by"] = False if user._is_public() else user.id
        body = _("Confirmed on the portal by %(name)s: balance %(balance)s.", name=answer["portal_answer_name"],
                 balance=self.currency_id.format(self.closing_balance))
        self._ledger_confirm(answer, {"body": body, "author_id": answer["portal_partner_id"],
                                      "subtype_xmlid": "mail.mt_note"})

    def _ledger_portal_dispute(self, name, user, line_ids, comment, attachment=None):
        """The customer disputes lines of the statement on the portal (see
        :meth:`_ledger_portal_answer`): ``line_ids``, ids of its lines; ``comment``, required;
        ``attachment``, an optional ``(file name, content)`` kept on the statement and shown in
        the chatter message."""
        self.ensure_one()
        answer = self._ledger_portal_answer(name, user)
        lines = self._ledger_check_lines(line_ids)  # and, by _ledger_dispute, that they are this statement's
        if not isinstance(comment, str) or not comment.strip():
            raise UserError(_("Say what you dispute."))
        if len(comment.strip()) > TEXT_MAX:
            raise ValidationError(_("Your comment is at most %s characters long.", TEXT_MAX))
        if has_control_characters(comment):
            raise ValidationError(_("Your comment holds a control character (such as NUL): type it again."))
        self._ledger_check_state(("sent",), _("disputed"))
        post_values = {"author_id": answer["portal_partner_id"]}
        if attachment:
            post_values["attachment_ids"] = self._ledger_portal_attachment(*attachment).ids
        self._ledger_dispute(comment.strip(), lines, answer, post_values)

    def _ledger_portal_attachment(self, filename, content):
        """The file a customer attached to its dispute, kept on the statement, once checked."""
        if has_control_characters(filename or ""):
            raise ValidationError(_("The attached file's name holds a control character (such as NUL): rename it."))
        filename = os.path.basename((filename or "").replace("\\", "/"))[-NAME_MAX:]
        mimetype, problem = check_attachment(filename, content)
        if problem == "too_big":
            raise ValidationError(_("The attached file is larger than %s MB.", MAX_BYTES // (1024 * 1024)))
        if problem:
            raise ValidationError(_("Attach a PDF, PNG or JPEG image, CSV, XLSX or text file."))
        return self.env["ir.attachment"].sudo().create({
            "name": filename, "raw": content, "mimetype": mimetype, "res_model": self._name, "res_id": self.id})


class CustomerLedgerStatementLine(models.Model):
    """A receivable journal item of the statement's period, in the statement's currency."""

    _name = "customer.ledger.statement.line"
    _description = "Statement of Account Line"
    _order = "statement_id, sequence, id"

    statement_id = fields.Many2one("customer.ledger.statement", required=True, ondelete="cascade", index=True,
                                   readonly=True)
    sequence = fields.Integer(readonly=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    date = fields.Date(readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True, ondelete="cascade")
    kind = fields.Selection(LINE_KINDS, readonly=True)
    reference = fields.Char(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    debit = fields.Monetary(readonly=True)
    credit = fields.Monetary(readonly=True)
    balance = fields.Monetary(string="Running Balance", readonly=True)
    disputed = fields.Boolean(help="The customer disputes this line.")
    dispute_comment = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.check_access_rights("create")  # who may not touch them at all is told so first
            raise UserError(_("Statement lines come from the journal items: refresh the draft statement."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.env["customer.ledger.statement"]._check_accountant()
            if set(vals) - {"disputed", "dispute_comment"}:
                raise UserError(_("Statement lines come from the journal items: refresh the draft statement."))
            if any(line.statement_id.state != "sent" for line in self):
                raise UserError(_("Lines are marked disputed while the statement waits for the customer's answer."))
        return super().write(vals)


class CustomerLedgerStatementAging(models.Model):
    """What was open on the statement's closing date, by days past due."""

    _name = "customer.ledger.statement.aging"
    _description = "Statement of Account Aging"
    _order = "statement_id, sequence, id"

    statement_id = fields.Many2one("customer.ledger.statement", required=True, ondelete="cascade", index=True,
                                   readonly=True)
    sequence = fields.Integer(readonly=True)
    days_from = fields.Integer(readonly=True, help="Days past due the bucket starts at; 0: not due yet.")
    days_to = fields.Integer(readonly=True, help="Days past due the bucket ends at; empty for the last one.")
    label = fields.Char(compute="_compute_label", help="The bucket's name, in the reader's language.")
    currency_id = fields.Many2one(related="statement_id.currency_id")
    amount = fields.Monetary(readonly=True)

    @api.depends("days_from", "days_to")
    @api.depends_context("lang")
    def _compute_label(self):
        # here rather than stored: the PDF and the portal show it in the customer's language
        Companies = self.env["res.company"]
        for bucket in self:
            bucket.label = Companies._ledger_aging_label(bucket.days_from, bucket.days_to)

