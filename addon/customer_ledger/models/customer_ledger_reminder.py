# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Payment reminders: one consolidated email per customer and run, listing its open invoices that
reached a new level of its reminder policy.

The open invoices, their due dates, their customer's policy and the highest level already sent or
skipped for each come from one query per company; which level each invoice reached is a plain
function (``reached_level``). An invoice gets the highest level it reached, once: a partial unique
index keeps (invoice, level) unique among the lines of sent and skipped reminders.
"""
import logging
from collections import defaultdict
from datetime import date

from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .customer_ledger_aging import CREDIT_FILE_BOUNDS
from .customer_ledger_reminder_policy import reached_level
from .customer_ledger_statement import check_accountant

_logger = logging.getLogger(__name__)

REMINDER_STATES = [("draft", "Draft"), ("sent", "Sent"), ("skipped", "Skipped"), ("cancelled", "Cancelled")]
DONE_STATES = ("sent", "skipped")
UNIQUE_DONE_INDEX = "customer_ledger_reminder_line_move_level_done_uniq"
MISSING_EMAIL_ACTIVITY = "customer_ledger.mail_activity_type_reminder_email"
# Set by the reminder's own steps (as superuser, after their checks); by hand, only the note changes.
SYSTEM_FIELDS = frozenset(("partner_id", "company_id", "date", "level_id", "state", "line_ids", "sent_date",
                           "recipient_id", "mail_message_id"))

# Per company: the open posted customer invoices (of ``partner_ids`` unless ``all_partners``), with the
# due date of their earliest open instalment, their customer's policy (its tier's, else the company's
# default) and the most days of a level already sent or skipped for them. Left out: invoices with a
# receivable line in litigation (No Follow-up), invoices on a disputed line of a statement still
# disputed, and customers who promised to pay by a date not yet passed.
_OPEN_INVOICES = """
SELECT m.id AS move_id, m.commercial_partner_id AS partner_id, m.currency_id, m.amount_residual,
       MIN(l.date_maturity) AS date_due, COALESCE(policy.id, %(default_policy_id)s) AS policy_id,
       done.days AS done_days
  FROM account_move m
  JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term' AND NOT l.reconciled
  LEFT JOIN customer_ledger_profile profile
         ON profile.partner_id = m.commercial_partner_id AND profile.company_id = m.company_id
  LEFT JOIN customer_ledger_tier tier ON tier.id = profile.tier_id
  LEFT JOIN customer_ledger_reminder_policy policy ON policy.id = tier.reminder_policy_id AND policy.active
  LEFT JOIN customer_ledger_credit_file credit_file
         ON credit_file.partner_id = m.commercial_partner_id AND credit_file.company_id = m.company_id
  LEFT JOIN LATERAL (
      SELECT MAX(level.days) AS days
        FROM customer_ledger_reminder_line line
        JOIN customer_ledger_reminder_level level ON level.id = line.level_id
       WHERE line.move_id = m.id AND line.state IN ('sent', 'skipped')
  ) done ON TRUE
 WHERE m.company_id = %(company_id)s AND m.state = 'posted' AND m.move_type = 'out_invoice'
   AND m.amount_residual > 0
   AND (%(all_partners)s OR m.commercial_partner_id = ANY(%(partner_ids)s))
   AND (credit_file.promise_date IS NULL OR credit_file.promise_date < %(today)s)
   AND NOT EXISTS (SELECT 1 FROM account_move_line blocked
                    WHERE blocked.move_id = m.id AND blocked.display_type = 'payment_term' AND blocked.blocked)
   AND NOT EXISTS (SELECT 1 FROM customer_ledger_statement_line statement_line
                     JOIN customer_ledger_statement statement ON statement.id = statement_line.statement_id
                    WHERE statement_line.move_id = m.id AND statement_line.disputed
                      AND statement.state = 'disputed')
 GROUP BY m.id, policy.id, done.days
 ORDER BY m.commercial_partner_id, MIN(l.date_maturity), m.id
"""


class CustomerLedgerReminder(models.Model):
    """A payment reminder to one commercial customer from one company: the invoices of one run."""

    _name = "customer.ledger.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.ledger.state.guard"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    level_id = fields.Many2one("customer.ledger.reminder.level", readonly=True, ondelete="restrict",
                               help="The highest level of its invoices: its email template is used.")
    policy_id = fields.Many2one(related="level_id.policy_id", string="Policy")
    state = fields.Selection(REMINDER_STATES, default="draft", required=True, readonly=True, index=True,
                             tracking=True, copy=False)
    line_ids = fields.One2many("customer.ledger.reminder.line", "reminder_id", string="Invoices", readonly=True)
    line_count = fields.Integer(compute="_compute_amounts", string="Invoice Count")
    amount_summary = fields.Char(compute="_compute_amounts", string="Amount Due",
                                 help="What is due on its invoices, per currency.")
    sent_date = fields.Date(readonly=True, copy=False)
    recipient_id = fields.Many2one("res.partner", string="Sent To", readonly=True, copy=False)
    mail_message_id = fields.Many2one("mail.message", string="Email", readonly=True, copy=False,
                                      ondelete="set null", help="The email, in the customer's chatter.")
    note = fields.Text(help="Why it waits, or anything worth knowing.")
    mail_partner_id = fields.Many2one("res.partner", string="Send To", compute="_compute_mail_partner_id",
                                      help="Where the reminder is emailed: the customer's invoice address, or the "
                                      "customer when that address has no email.")

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = _("Reminder to %(customer)s of %(date)s", customer=reminder.partner_id.name,
                                      date=tools.format_date(self.env, reminder.date))

    @api.depends("partner_id")
    def _compute_mail_partner_id(self):
        for reminder in self:
            reminder.mail_partner_id = reminder.partner_id and reminder._ledger_recipient()

    @api.depends("line_ids.amount_residual")
    def _compute_amounts(self):
        for reminder in self:
            reminder.line_count = len(reminder.line_ids)
            reminder.amount_summary = " + ".join(
                tools.format_amount(self.env, amount, currency) for currency, amount in reminder._ledger_totals())

    def _ledger_totals(self):
        """[(currency, amount due)] of the reminder's invoices, one per currency, by currency name."""
        self.ensure_one()
        totals = defaultdict(float)
        for line in self.line_ids:
            totals[line.currency_id] += line.amount_residual
        return [(currency, currency.round(totals[currency])) for currency in sorted(totals, key=lambda c: c.name)]

    def _ledger_open_credits(self):
        """The customer's open credits in the company: its posted receivable items with a credit left
        (credit notes, payments not yet allocated to invoices), oldest first."""
        self.ensure_one()
        return self.env["account.move.line"].sudo().search([
            ("company_id", "=", self.company_id.id), ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"), ("reconciled", "=", False),
            ("partner_id.commercial_partner_id", "=", self.partner_id.id), ("amount_residual", "<", 0),
        ], order="date, id")

    def _ledger_net_totals(self, credits):
        """[(currency, amount due)] of the reminder's invoices less the open ``credits`` in the same currency,
        one per currency, by currency name (never below zero: the rest of a credit is for other invoices)."""
        self.ensure_one()
        totals = defaultdict(float, self._ledger_totals())
        for credit in credits:
            totals[credit.currency_id] += credit.amount_residual_currency
        return [(currency, max(currency.round(totals[currency]), 0.0))
                for currency in sorted(totals, key=lambda c: c.name)]

    def _ledger_lines_html(self):
        """The table of invoices and totals that the reminder emails show, then the customer's open credits
        and the net amount due, in the context's language."""
        self.ensure_one()
        credits = self._ledger_open_credits()
        return self.env["ir.qweb"]._render("customer_ledger.customer_ledger_reminder_email_lines", {
            "reminder": self, "lines": self.line_ids, "totals": self._ledger_totals(), "credits": credits,
            "nets": self._ledger_net_totals(credits) if credits else []})

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.check_access_rights("create")  # who may not touch them at all is told so first
            raise UserError(_("Payment reminders are prepared by the scheduled action or by Send Reminder Now."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._ledger_check_accountant()
            if set(vals) & SYSTEM_FIELDS:
                raise UserError(_("Payment reminders change through their buttons; only the note is written by hand."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self._ledger_check_accountant()
            if any(reminder.state in DONE_STATES for reminder in self):
                raise UserError(_("Sent and skipped reminders are kept: they stop the same reminder going twice."))
        return super().unlink()

    @api.model
    def _ledger_check_accountant(self):
        check_accountant(self.env, _("Only Reconciliation Accountants and account managers send or skip payment "
                                     "reminders."))

    def _ledger_check_draft(self, action):
        self._ledger_check_accountant()
        self._ledger_check_state(("draft",), action)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_send(self):
        """Send draft reminders now, with what is due today (the draft is prepared again first)."""
        self._ledger_check_draft(_("sent"))
        today = fields.Date.context_today(self)
        for reminder in self:
            reminder._ledger_send_to(reminder.partner_id, reminder.company_id, today)
        return True

    def action_skip(self):
        """Do not send these drafts: their invoices will not get these levels again."""
        self._ledger_check_draft(_("skipped"))
        self.sudo().write({"state": "skipped"})
        self._ledger_close_todo()
        for reminder in self:
            reminder.message_post(body=_("Skipped: these invoices will not be reminded at these levels."),
                                  subtype_xmlid="mail.mt_note")
        return True

    def action_cancel(self):
        """Drop drafts: their invoices may be reminded at the next run."""
        self._ledger_check_draft(_("cancelled"))
        self.sudo().write({"state": "cancelled"})
        self._ledger_close_todo()
        return True

    # ------------------------------------------------------------------
    # Preparing
    # ------------------------------------------------------------------

    @api.model
    def _ledger_due_invoices(self, company, today, partners=None):
        """{commercial partner id: [invoice row]} of ``company`` on ``today``: the invoices that reached a
        level not sent or skipped yet, each row with its ``level_id``, ``level_days`` and ``days_overdue``."""
        self.env.flush_all()
        self.env.cr.execute(_OPEN_INVOICES, {
            "company_id": company.id, "today": today,
            "default_policy_id": company.ledger_reminder_policy_id.id or None,
            "all_partners": partners is None, "partner_ids": partners.ids if partners is not None else [],
        })
        rows = self.env.cr.dictfetchall()
        levels = self._ledger_policy_levels({row["policy_id"] for row in rows if row["policy_id"]})
        due = defaultdict(list)
        for row in rows:
            days_overdue = (today - row["date_due"]).days
            found = reached_level(days_overdue, levels.get(row["policy_id"], []))
            if found and (row["done_days"] is None or found[0] > row["done_days"]):
                due[row["partner_id"]].append(dict(row, level_days=found[0], level_id=found[1],
                                                   days_overdue=days_overdue))
        if not due:
            return due
        # credit notes and payments not yet allocated count: a customer who owes nothing on balance is
        # not reminded of the invoices they would settle
        net = self._ledger_net_receivable(company, today, self.env["res.partner"].browse(list(due)))
        currency = company.currency_id
        return {partner_id: rows for partner_id, rows in due.items()
                if currency.compare_amounts(net.get(partner_id, 0.0), 0.0) > 0}

    @api.model
    def _ledger_net_receivable(self, company, today, partners):
        """{commercial partner id: what ``partners`` owe ``company`` on balance now, in its currency}: all
        their open posted receivable items, invoices less open credit notes and unallocated payments."""
        aging = self.env["customer.ledger.aging"]._ledger_aging(company, CREDIT_FILE_BOUNDS, customers=partners,
                                                                aged_on=today)
        return {partner_id: company.currency_id.round(sum(buckets)) for partner_id, buckets in aging.items()}

    @api.model
    def _ledger_policy_levels(self, policy_ids):
        """{policy id: [(days, level id)]}."""
        levels = defaultdict(list)
        for level in self.env["customer.ledger.reminder.level"].sudo().search([("policy_id", "in", list(policy_ids))]):
            levels[level.policy_id.id].append((level.days, level.id))
        return levels

    @api.model
    def _ledger_prepare(self, company, today, partners=None):
        """Draft reminders of ``company`` on ``today``, one per customer (of ``partners``, commercial
        ones, or all) with invoices at a new level. A customer's draft is prepared again rather than
        made twice; drafts of customers with nothing due any more are cancelled. Returns the drafts."""
        due = self._ledger_due_invoices(company, today, partners)
        Reminders = self.sudo().with_company(company)
        domain = [("company_id", "=", company.id), ("state", "=", "draft")]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        drafts = Reminders.search(domain, order="id")
        reuse = {}
        for draft in drafts:
            reuse.setdefault(draft.partner_id.id, draft)
        stale = drafts - Reminders.browse([r.id for r in reuse.values()])
        stale |= Reminders.browse([draft.id for partner_id, draft in reuse.items() if partner_id not in due])
        stale.write({"state": "cancelled"})
        stale._ledger_close_todo()
        kept = Reminders.browse([draft.id for partner_id, draft in reuse.items() if partner_id in due])
        kept.line_ids.unlink()
        top_level = {partner_id: max(rows, key=lambda row: row["level_days"])["level_id"]
                     for partner_id, rows in due.items()}
        for draft in kept:
            draft.write({"date": today, "level_id": top_level[draft.partner_id.id]})
        new = Reminders.create([
            {"partner_id": partner_id, "company_id": company.id, "date": today, "level_id": top_level[partner_id]}
            for partner_id in due if partner_id not in reuse])
        reminders = kept | new
        line_vals = [reminder._ledger_prepare_line(row) for reminder in reminders
                     for row in due[reminder.partner_id.id]]
        self.env["customer.ledger.reminder.line"].sudo().create(line_vals)
        return reminders.with_env(self.env)

    def _ledger_prepare_line(self, row):
        """The values of the reminder line of an invoice row of ``_ledger_due_invoices``."""
        return {
            "reminder_id": self.id, "move_id": row["move_id"], "level_id": row["level_id"],
            "days_overdue": row["days_overdue"], "date_due": row["date_due"],
            "currency_id": row["currency_id"], "amount_residual": row["amount_residual"],
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _ledger_send_to(self, partner, company, today):
        """Prepare and send ``partner``'s reminder now (Send Now, Send Reminder Now). Raises when there
        is nothing new to remind the customer of, or no email address."""
        partner = partner.commercial_partner_id
        reminders = self._ledger_prepare(company, today, partner)
        if not reminders:
            credit_file = self.env["customer.ledger.credit.file"].sudo().search([
                ("partner_id", "=", partner.id), ("company_id", "=", company.id)])
            if credit_file.promise_date and credit_file.promise_date >= today:
                raise UserError(_("%(customer)s promised to pay by %(date)s: no reminder until then.",
                                  customer=partner.display_name, date=credit_file.promise_date))
            net = self._ledger_net_receivable(company, today, partner).get(partner.id, 0.0)
            if company.currency_id.compare_amounts(net, 0.0) <= 0:
                raise UserError(_("%s owes nothing on balance: open credit notes and payments cover its invoices.",
                                  partner.display_name))
            raise UserError(_(
                "Nothing to remind %s of: no open invoice has reached a reminder level that was not sent or skipped "
                "(invoices in dispute or litigation are left out).", partner.display_name))
        return reminders._ledger_send(interactive=True)

    def _ledger_send(self, interactive=False):
        """Email the draft reminders, log them on the customers and do their level's action. A customer
        without an email address keeps its draft, with a note and an activity (``interactive``: raise)."""
        sent = self.browse()
        for reminder in self:
            recipient = reminder._ledger_recipient()
            if not recipient.email:
                message = _("No email address for %s: add one to the customer or its invoice address, then send "
                            "the reminder (or skip it).", recipient.display_name)
                if interactive:
                    raise UserError(message)
                reminder._ledger_missing_email(message)
                continue
            reminder._ledger_post_email(recipient)
            sent |= reminder
        sent._ledger_run_actions()
        return sent

    def _ledger_recipient(self):
        """Who the reminder goes to: the customer's invoice address, else the customer (see
        ``res.partner._ledger_mail_recipient``)."""
        self.ensure_one()
        return self.partner_id._ledger_mail_recipient()

    def _ledger_post_email(self, recipient):
        """Render the level's template and send it in the customer's chatter."""
        self.ensure_one()
        template = self.level_id.mail_template_id
        values = template._generate_template(self.ids, ("subject", "body_html", "email_from", "reply_to"))[self.id]
        author = self.company_id.partner_id if self.env.user._is_superuser() else self.env.user.partner_id
        message = self.partner_id.sudo().message_post(
            body=Markup(values.get("body_html") or ""), subject=values.get("subject"),
            email_from=values.get("email_from") or None, reply_to=values.get("reply_to") or None,
            author_id=author.id, partner_ids=recipient.ids, message_type="comment",
            subtype_xmlid="mail.mt_comment", email_layout_xmlid="mail.mail_notification_light",
        )
        self.sudo().write({"state": "sent", "sent_date": self.date, "recipient_id": recipient.id,
                           "mail_message_id": message.id})
        self.sudo().message_post(body=_("Sent to %s.", recipient.email_formatted), subtype_xmlid="mail.mt_note")
        self._ledger_close_todo()

    def _ledger_missing_email(self, message):
        """Ask the responsible, once, for the customer's email address: an activity of its own type, with
        ``message``, also in the reminder's chatter (the note is the users')."""
        self.ensure_one()
        activity_type = self.env.ref(MISSING_EMAIL_ACTIVITY)
        if activity_type not in self.sudo().activity_ids.activity_type_id:
            self.sudo().activity_schedule(MISSING_EMAIL_ACTIVITY, summary=_("Add an email address"),
                                          note=message, user_id=self._ledger_responsible().id)
            self.sudo().message_post(body=message, subtype_xmlid="mail.mt_note")

    def _ledger_close_todo(self):
        """Drop the "add an email address" activities of reminders that no longer wait for one (only those)."""
        self.sudo().activity_unlink([MISSING_EMAIL_ACTIVITY])

    def _ledger_run_actions(self):
        """Do each sent reminder's level action, once: ``_ledger_action_<action>``."""
        for reminder in self:
            getattr(reminder, f"_ledger_action_{reminder.level_id.action}")()

    def _ledger_action_none(self):
        return

    def _ledger_action_call(self):
        self.ensure_one()
        self.sudo().activity_schedule(
            "mail.mail_activity_data_call", user_id=self._ledger_responsible().id,
            summary=_("Call %s about overdue invoices", self.partner_id.name),
            note=_("%(level)s sent; amount due: %(amount)s.", level=self.level_id.name, amount=self.amount_summary))

    def _ledger_hold_applies(self):
        """Whether this reminder's level puts the customer on credit hold: only when the customer had a
        reminder sent by the company before, so that no customer is put on hold by its first reminder
        (on the first run after installation, long-overdue invoices reach the final level at once)."""
        self.ensure_one()
        return self.level_id.action == "hold" and bool(self.sudo().search_count([
            ("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id),
            ("state", "=", "sent"), ("id", "!=", self.id)], limit=1))

    def _ledger_action_hold(self):
        self.ensure_one()
        if not self._ledger_hold_applies():
            self.sudo().message_post(body=_("Not put on credit hold: this is the customer's first reminder sent."),
                                     subtype_xmlid="mail.mt_note")
            return
        Files = self.env["customer.ledger.credit.file"].sudo().with_company(self.company_id)
        credit_file = Files._for_partner(self.partner_id, self.company_id)
        if not credit_file.on_hold:
            credit_file._set_hold(True, _("Payment reminder %(level)s sent on %(date)s: %(invoices)s unpaid.",
                                          level=self.level_id.name, date=self.date,
                                          invoices=Files._ledger_name_some(self.line_ids.move_id.mapped("name"))))

    def _ledger_responsible(self):
        """Who follows the customer up: its salesperson, else its credit reviewer, else a Credit Manager or
        an accountant of the company (``res.company._ledger_pick_user``)."""
        self.ensure_one()
        credit_file = self.env["customer.ledger.credit.file"].sudo().search([
            ("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)])
        return self.company_id._ledger_pick_user((self.partner_id.user_id, credit_file.user_id),
                                                 groups=("customer_ledger.group_credit_manager",))

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_ledger_reminders(self, commit=True, today=None):
        """Every company's reminders of the day: prepared set-wise, then sent one customer at a time
        unless the company reviews them as drafts first. One customer's failure does not stop the run."""
        if today is not None and not isinstance(today, date):
            raise ValidationError(_("The reminders' day is a date."))
        today = today or fields.Date.context_today(self)
        self = self.sudo()  # noqa: PLW0642 (as the scheduler's superuser, whoever calls it)
        for company in self.env["res.company"].search([]):
            try:
                with self.env.cr.savepoint():
                    reminders = self._ledger_prepare(company, today)
            except Exception:  # one company's data must not stop the others' reminders
                _logger.exception("Payment reminders of company %s not prepared", company.id)
                self.env.invalidate_all()
                continue
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if not company.ledger_reminder_auto_send:
                continue
            for reminder in reminders:
                try:
                    with self.env.cr.savepoint():
                        reminder._ledger_send()
                except Exception:  # the reminder stays a draft; the run goes on with the next customer
                    _logger.exception("Payment reminder %s to %s not sent", reminder.id, reminder.partner_id.id)
                    self.env.invalidate_all()
                if commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return True


class CustomerLedgerReminderLine(models.Model):
    """An invoice in a reminder, at the level it reached, as it stood that day."""

    _name = "customer.ledger.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, date_due, id"

    reminder_id = fields.Many2one("customer.ledger.reminder", required=True, ondelete="cascade", index=True,
                                  readonly=True)
    state = fields.Selection(related="reminder_id.state", store=True, index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True,
                              readonly=True)
    invoice_date = fields.Date(related="move_id.invoice_date", string="Invoice Date")
    level_id = fields.Many2one("customer.ledger.reminder.level", required=True, ondelete="restrict",
                               readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, help="Negative: days until the due date.")
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", currency_field="currency_id", readonly=True)

    def init(self):
        # the database's guarantee that an invoice gets each level once
        # (tools.create_unique_index takes no WHERE clause)
        if not tools.index_exists(self.env.cr, UNIQUE_DONE_INDEX):
            self.env.cr.execute(SQL(
                "CREATE UNIQUE INDEX %s ON %s (move_id, level_id) WHERE state IN ('sent', 'skipped')",
                SQL.identifier(UNIQUE_DONE_INDEX), SQL.identifier(self._table)))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.check_access_rights("create")
            raise UserError(_("Reminder lines are prepared with their reminder."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.check_access_rights("write")
            raise UserError(_("Reminder lines are prepared with their reminder."))
        return super().write(vals)
