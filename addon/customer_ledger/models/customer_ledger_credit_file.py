# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import formatLang

from ..lib.text import name_some
from .customer_ledger_aging import CREDIT_FILE_BOUNDS
from .customer_ledger_profile import check_credit_manager

# a promise to pay holds the reminders back: no further ahead than this
MAX_PROMISE_DAYS = 365

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]

# What a customer owes or is about to owe, in parts. Each part selects rows of (company_id,
# partner_id, amount) in the company's currency, partner_id being the commercial customer; the
# credit file sums them for its customer, the exposure report for all. Modules add parts (sales
# orders) by extending CustomerLedgerCreditFile._ledger_exposure_parts().
EXPOSURE_RECEIVABLE = """
SELECT l.company_id, p.commercial_partner_id AS partner_id, l.amount_residual AS amount
  FROM account_move_line l
  JOIN res_partner p ON p.id = l.partner_id
  JOIN account_account a ON a.id = l.account_id
 WHERE l.parent_state = 'posted' AND NOT l.reconciled AND a.account_type = 'asset_receivable'
"""
EXPOSURE_DRAFT_INVOICES = """
SELECT m.company_id, m.commercial_partner_id AS partner_id, m.amount_total_signed AS amount
  FROM account_move m
 WHERE m.state = 'draft' AND m.move_type IN ('out_invoice', 'out_refund')
"""

AGING_BUCKETS = ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_over_90")

# How much of the limit a customer may use before its risk is medium, then high.
RISK_MEDIUM, RISK_HIGH = 0.5, 0.8


class CustomerLedgerCreditFile(models.Model):
    """One commercial customer's credit with one company: limit, exposure, holds."""

    _name = "customer.ledger.credit.file"
    _description = "Credit File"
    _inherit = ["mail.thread", "customer.ledger.amount.guard"]
    _order = "company_id, partner_id"
    _rec_name = "partner_id"
    _ledger_amount_fields = ("credit_limit", "promise_amount")

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade",
                                 readonly=True, domain="[('is_company', '=', True)]")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", readonly=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(
        currency_field="currency_id", tracking=True,
        help="Kept in step with the customer's credit limit in Odoo (Accounting tab), so that its "
        "warning on invoices keeps working. Zero: no limit. With four-eyes credit reviews, changed "
        "only by an approved credit review.",
    )
    ledger_review_four_eyes = fields.Boolean(related="company_id.ledger_review_four_eyes")
    receivable = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                 string="Open Receivables")
    draft_invoiced = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                     string="Draft Invoices")
    exposure = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                               help="Posted open receivables plus draft customer invoices, less credit notes "
                               "(plus quotations and sales orders not yet invoiced, with Customer Ledger for Sales).")
    available = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                string="Available Credit")
    risk_level = fields.Selection(RISK_LEVELS, compute="_compute_exposure", search="_search_risk_level")
    aging_current = fields.Monetary(compute="_compute_aging", currency_field="currency_id", string="Not Due")
    aging_1_30 = fields.Monetary(compute="_compute_aging", currency_field="currency_id", string="1-30 Days")
    aging_31_60 = fields.Monetary(compute="_compute_aging", currency_field="currency_id", string="31-60 Days")
    aging_61_90 = fields.Monetary(compute="_compute_aging", currency_field="currency_id", string="61-90 Days")
    aging_over_90 = fields.Monetary(compute="_compute_aging", currency_field="currency_id",
                                    string="Over 90 Days")
    on_hold = fields.Boolean(readonly=True, tracking=True)
    hold_reason = fields.Text(readonly=True)
    hold_log_ids = fields.One2many("customer.ledger.credit.hold.log", "credit_file_id", string="Credit Log",
                                   readonly=True)
    tier_id = fields.Many2one("customer.ledger.tier", compute="_compute_tier")
    user_id = fields.Many2one(
        "res.users", string="Credit Reviewer", tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("customer_ledger.group_credit_manager").ids)],
        help="Gets the activity when a credit review falls due. Empty: the Credit Manager who approved "
        "the last review.",
    )
    next_review_date = fields.Date(
        tracking=True, help="Set from the tier's review interval when a review is approved; on that day "
        "an activity asks for the next review.")
    # a promise to pay holds the payment reminders back until its date (models/customer_ledger_reminder.py)
    promise_date = fields.Date(string="Promised Payment Date", readonly=True,
                               help="Payment reminders wait until this day has passed.")
    promise_amount = fields.Monetary(string="Promised Amount", currency_field="currency_id", readonly=True)
    promise_note = fields.Text(readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one credit file per company."),
    ]

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        for credit_file in self:
            if credit_file.credit_limit < 0:
                raise ValidationError(_("The credit limit of %s cannot be negative.",
                                        credit_file.partner_id.display_name))

    @api.model
    def _ledger_exposure_parts(self):
        """{field name: SQL selecting (company_id, partner_id, amount)}: what the exposure adds up."""
        return {"receivable": EXPOSURE_RECEIVABLE, "draft_invoiced": EXPOSURE_DRAFT_INVOICES}

    @api.model
    def _ledger_exposure_query(self):
        """One row per (company, commercial customer): each part's amount, then the exposure."""
        parts = self._ledger_exposure_parts()
        rows = " UNION ALL ".join(
            f"SELECT company_id, partner_id, {index} AS part, amount FROM ({sql}) AS part_{index}"
            for index, sql in enumerate(parts.values()))
        sums = ", ".join(f"SUM(amount) FILTER (WHERE part = {index}) AS {name}" for index, name in enumerate(parts))
        return f"SELECT company_id, partner_id, {sums}, SUM(amount) AS exposure FROM ({rows}) AS exposure_rows " \
               f"GROUP BY company_id, partner_id"

    @api.depends("credit_limit", "on_hold")
    def _compute_exposure(self):
        parts = list(self._ledger_exposure_parts())
        amounts = {}
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        for company in self.company_id:
            files = self.filtered(lambda f, company=company: f.company_id == company)
            self.env.cr.execute(
                f"SELECT * FROM ({self._ledger_exposure_query()}) AS exposure "
                "WHERE company_id = %s AND partner_id IN %s", (company.id, tuple(files.partner_id.ids)))
            for row in self.env.cr.dictfetchall():
                amounts[row["partner_id"], company.id] = row
        for credit_file in self:
            row = amounts.get((credit_file.partner_id.id, credit_file.company_id.id), {})
            currency = credit_file.currency_id
            for part in parts:
                credit_file[part] = currency.round(row.get(part) or 0.0)
            credit_file.exposure = currency.round(sum(credit_file[part] for part in parts))
            credit_file.available = currency.round(credit_file.credit_limit - credit_file.exposure) \
                if credit_file.credit_limit else 0.0
            credit_file.risk_level = credit_file._risk_level()

    def _risk_level(self):
        """Critical on hold or over the limit; then by how much of the limit is used."""
        self.ensure_one()
        if self.on_hold:
            return "critical"
        if not self.credit_limit:
            return "low"
        used = self.exposure / self.credit_limit
        if used > 1:
            return "critical"
        return "high" if used >= RISK_HIGH else "medium" if used >= RISK_MEDIUM else "low"

    def _search_risk_level(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Risk levels are searched with =, !=, in or not in."))
        report = self.env["customer.ledger.credit.report"].search([("risk_level", operator, value)])
        return [("id", "in", report.credit_file_id.ids)]

    def _compute_aging(self):
        """What is open now (the items' residual, future ones included, as the exposure), by days
        past due today, in fixed buckets: the aging report's computation."""
        buckets = {}
        today = fields.Date.context_today(self)
        Aging = self.env["customer.ledger.aging"]
        for company in self.company_id:
            files = self.filtered(lambda f, company=company: f.company_id == company)
            aging = Aging._ledger_aging(company, CREDIT_FILE_BOUNDS, customers=files.partner_id, aged_on=today)
            for partner_id, amounts in aging.items():
                buckets[partner_id, company.id] = amounts
        for credit_file in self:
            amounts = buckets.get((credit_file.partner_id.id, credit_file.company_id.id), [0.0] * 5)
            for name, amount in zip(AGING_BUCKETS, amounts, strict=True):
                credit_file[name] = amount

    def _compute_tier(self):
        profiles = self.env["customer.ledger.profile"].search([
            ("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)])
        tiers = {(profile.partner_id, profile.company_id): profile.tier_id for profile in profiles}
        for credit_file in self:
            credit_file.tier_id = tiers.get((credit_file.partner_id, credit_file.company_id), False)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        for vals in vals_list:
            self._ledger_four_eyes_start_limit(vals)
        files = super().create(vals_list)
        files._sync_partner_limit()
        return files

    def write(self, vals):
        if {"credit_limit", "on_hold", "hold_reason", "user_id", "next_review_date"} & set(vals):
            self._check_manager()
        if "credit_limit" in vals and not self.env.su:
            limit = self._ledger_check_amounts(vals)["credit_limit"]
            for credit_file in self.filtered(lambda f: f.currency_id.compare_amounts(f.credit_limit, limit)):
                self._ledger_refuse_direct_limit(credit_file.company_id, credit_file.partner_id.display_name)
        result = super().write(vals)
        if "credit_limit" in vals:
            self._sync_partner_limit()
        return result

    def _ledger_four_eyes_start_limit(self, vals):
        """With four eyes, a new file starts at its customer's default limit (Odoo's, else the tier's):
        another figure, or none (no limit), would be a limit nobody reviewed."""
        if self.env.su:
            return
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
        if not (company.ledger_review_four_eyes and partner):
            return
        default = partner.with_company(company)._ledger_default_credit_limits()[partner]
        if "credit_limit" in vals:
            limit = self._ledger_check_amounts(vals)["credit_limit"]
            if company.currency_id.compare_amounts(limit, default):
                raise UserError(_(
                    "%(company)s has four-eyes credit reviews: the credit file of %(customer)s starts at its "
                    "default limit, %(default)s; ask for another one with a credit review.",
                    company=company.name, customer=partner.display_name,
                    default=formatLang(self.env, default, currency_obj=company.currency_id)))
        vals["credit_limit"] = default

    @api.model
    def _ledger_refuse_direct_limit(self, company, customer):
        """Refuse a change of the limit of ``customer`` (its name) in ``company`` by hand (form, RPC, import, the
        customer's form) where the company has four-eyes reviews: there an approved credit review
        alone changes a limit, as superuser after its checks."""
        if company.ledger_review_four_eyes and not self.env.su:
            raise UserError(_(
                "%(company)s has four-eyes credit reviews: the credit limit of %(customer)s changes only "
                "through an approved credit review. Request a review from its credit file.",
                company=company.name, customer=customer))

    def _sync_partner_limit(self):
        for credit_file in self:
            partner = credit_file.partner_id.sudo().with_company(credit_file.company_id)
            if partner.credit_limit != credit_file.credit_limit:
                partner.credit_limit = credit_file.credit_limit

    @api.model
    def _check_manager(self):
        check_credit_manager(self.env, _("Only Credit Managers change credit limits and holds."))

    @api.model
    def _for_partner(self, partner, company=None):
        """The commercial partner's credit file in ``company``, made if missing (by a Credit Manager)."""
        company = company or self.env.company
        partner = partner.commercial_partner_id
        credit_file = self.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        if not credit_file:
            credit_file = self.create({
                "partner_id": partner.id, "company_id": company.id,
                "credit_limit": partner.with_company(company)._ledger_default_credit_limits()[partner],
            })
        return credit_file

    @api.model
    def _ledger_credit_problems(self, documents, customer_company, problem):
        """{document: message} for the ``documents`` (invoices to post, orders to confirm) whose
        commitment breaks their customer's credit. ``customer_company(document)`` gives its (commercial
        partner, company); ``problem(credit_file, batch)`` the message for the batch of one customer, or
        False. Documents of customers with neither a credit file nor a credit limit are left out."""
        if not documents:
            return {}
        files = self._ledger_files_to_check(customer_company(document) for document in documents)
        problems = {}
        for key, batch in documents.grouped(customer_company).items():
            message = key in files and problem(files[key], batch)
            if message:
                problems.update(dict.fromkeys(batch, message))
        return problems

    @api.model
    def _ledger_files_to_check(self, keys):
        """{(commercial partner, company): credit file} for ``keys``, the pairs whose credit a document
        engages. A customer without a file is checked against Odoo's credit limit, with no hold, through a
        transient file; one without either is left out."""
        keys = set(keys)
        if not keys:
            return {}
        Files = self.sudo()
        found = Files.search([("partner_id", "in", [partner.id for partner, _company in keys]),
                              ("company_id", "in", [company.id for _partner, company in keys])])
        found.invalidate_recordset()  # the exposure as it is now, not as an earlier check of the transaction saw it
        files = {(f.partner_id, f.company_id): f for f in found}
        checked = {}
        for partner, company in keys:
            credit_file = files.get((partner, company))
            if not credit_file:
                limit = partner.with_company(company).credit_limit
                if not limit:
                    continue
                credit_file = Files.new({"partner_id": partner.id, "company_id": company.id, "credit_limit": limit})
            checked[partner, company] = credit_file
        return checked

    def _ledger_credit_breach(self, documents, amount, exposure):
        """Whether committing ``documents`` of this customer (posting invoices, confirming orders) for
        ``amount``, which takes its exposure to ``exposure`` (both in the company's currency), breaks its
        credit. False when it does not, else the values of the caller's message, which keeps its sentences
        whole: ``on_hold``; and formatted, ``customer``, ``reason`` (of the hold), ``documents`` (their names
        as Odoo displays them), ``amount``, ``exposure``, ``over`` (by how much), ``limit``, and ``managers``
        (the Credit Managers who may approve)."""
        self.ensure_one()
        currency = self.company_id.currency_id
        over_limit = self.credit_limit and currency.compare_amounts(exposure, self.credit_limit) > 0
        if not self.on_hold and not over_limit:
            return False
        names = documents.mapped("display_name")  # "INV/2026/00012", or "Draft Invoice (* 27)" before posting
        money = lambda value: formatLang(self.env, value, currency_obj=currency)  # noqa: E731
        return {
            "on_hold": self.on_hold, "customer": self.partner_id.display_name, "reason": self.hold_reason,
            "documents": self._ledger_name_some(names),
            "amount": money(amount), "exposure": money(exposure), "over": money(exposure - self.credit_limit),
            "limit": money(self.credit_limit), "managers": self._ledger_credit_managers_named(),
        }

    def _ledger_posting_problem(self, moves):
        """Why posting ``moves`` (draft customer invoices of this customer) breaks its credit, with by
        how much and who may approve; False when it does not. The exposure after posting is this
        file's, but with these invoices in place of all the customer's drafts."""
        amount = sum(moves.mapped("amount_total_signed"))
        breach = self._ledger_credit_breach(moves, amount, self.exposure - self.draft_invoiced + amount)
        if not breach:
            return False
        if breach["on_hold"]:
            problem = _("%(customer)s is on credit hold (%(reason)s): %(invoices)s of %(amount)s cannot be posted.",
                        invoices=breach["documents"], **breach)
        else:
            problem = _("Posting %(invoices)s takes the exposure of %(customer)s to %(exposure)s, %(over)s over its "
                        "credit limit of %(limit)s.", invoices=breach["documents"], **breach)
        return _("%(problem)s A Credit Manager may approve it with Post with Credit Override: %(managers)s.",
                 problem=problem, managers=breach["managers"])

    def _ledger_log_over_credit(self, document, link, problem, override_reason, body):
        """Keep in the credit log (``link``: the log's field naming ``document``) and in both chatters that
        ``document`` went through over the customer's credit: overridden with a reason, or warned of."""
        self.ensure_one()
        self.env["customer.ledger.credit.hold.log"].sudo().create({
            "credit_file_id": self.id, **link, "action": "override" if override_reason else "warning",
            "reason": override_reason.strip()[:2000] if override_reason else problem,
        })
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        document.message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _ledger_enforce(self, problems):
        """Apply the companies' credit enforcement to ``problems``, {document: message}, before the
        documents are committed: refuse those of companies that block, unless a Credit Manager overrides
        them with a reason (context key ``ledger_credit_override``). Returns the override's reason, or False."""
        override = self.env.context.get("ledger_credit_override")
        blocked = [problem for document, problem in problems.items()
                   if document.company_id.ledger_credit_enforcement == "block"]
        if blocked and not override:
            raise UserError("\n\n".join(dict.fromkeys(blocked)))  # a batch of one customer shares its message
        if override:
            check_credit_manager(self.env, _("Only Credit Managers override a customer's credit."))
            if not isinstance(override, str) or not override.strip():
                raise UserError(_("Say why the credit is overridden."))
        return override or False

    def _ledger_credit_managers_named(self):
        group = self.env.ref("customer_ledger.group_credit_manager")
        managers = self.company_id._ledger_people(group.sudo().users)
        return self._ledger_name_some(managers.sorted("name").mapped("name")) or _("none yet, ask your administrator")

    @api.model
    def _ledger_name_some(self, names, shown=5):
        """"a, b, c, d, e and 3 more" (``lib.text.name_some``), in the user's language."""
        return name_some(names, shown, _("%(names)s and %(count)s more"))

    # ------------------------------------------------------------------
    # Promise to pay
    # ------------------------------------------------------------------

    @api.model
    def _ledger_for_promise(self, partner, company):
        """The customer's credit file to record a promise on, made if missing, for those who may record one."""
        self._ledger_check_promise_rights()
        return self.sudo()._for_partner(partner, company).sudo(False)

    @api.model
    def _ledger_check_promise_rights(self):
        if not (self.env.su or self.env.user.has_group("customer_ledger.group_credit_manager")
                or self.env.user.has_group("customer_ledger.group_reconciliation_accountant")):
            raise AccessError(_("Only Reconciliation Accountants and Credit Managers record promises to pay."))

    def action_ledger_promise_wizard(self):
        self.ensure_one()
        self._ledger_check_promise_rights()
        return {
            "type": "ir.actions.act_window", "name": _("Promise to Pay"), "res_model": "customer.ledger.promise.wizard",
            "view_mode": "form", "target": "new",
            "context": {"default_partner_id": self.partner_id.id, "default_company_id": self.company_id.id},
        }

    def action_record_promise(self, promise_date, amount=0.0, note=None):
        """Record the customer's promise to pay ``amount`` (in the company's currency) by ``promise_date``:
        payment reminders wait until that day has passed. Reconciliation Accountants and Credit Managers."""
        self._ledger_check_promise_rights()
        self.check_access_rule("read")
        if isinstance(promise_date, str):
            try:
                promise_date = fields.Date.to_date(promise_date)
            except ValueError:
                promise_date = None
        if not isinstance(promise_date, date):
            raise ValidationError(_("The promised payment date is a date."))
        today = fields.Date.context_today(self)
        if promise_date < today:
            raise ValidationError(_("A promise to pay is for today or a later day, not %s.", promise_date))
        if (promise_date - today).days > MAX_PROMISE_DAYS:
            raise ValidationError(_(
                "A promise to pay is for the next %(days)s days at most, not %(date)s: payment reminders would wait "
                "until then.", days=MAX_PROMISE_DAYS, date=promise_date))
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ValidationError(_("The promised amount is a number, zero or more."))
        self._ledger_check_amounts({"promise_amount": amount})  # before rounding: NaN, infinity, 1e300
        if amount < 0:
            raise ValidationError(_("The promised amount is a number, zero or more."))
        if note is not None and not isinstance(note, str):
            raise ValidationError(_("The note of a promise to pay is text."))
        note = (note or "").strip()[:2000]
        for credit_file in self:
            amount_rounded = credit_file.currency_id.round(amount)
            # accountants may not write credit files: this change only, after the checks above
            credit_file.sudo().write({"promise_date": promise_date, "promise_amount": amount_rounded,
                                      "promise_note": note or False})
            credit_file.sudo().message_post(
                author_id=self.env.user.partner_id.id,
                body=_("Promise to pay %(amount)s by %(date)s, recorded by %(user)s. %(note)s",
                       amount=formatLang(self.env, amount_rounded, currency_obj=credit_file.currency_id),
                       date=promise_date, user=self.env.user.name, note=note),
                subtype_xmlid="mail.mt_note")
        return True

    # ------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------

    def action_hold(self, reason):
        self._set_hold(True, reason)

    def action_release(self, reason):
        self._set_hold(False, reason)

    def _set_hold(self, hold, reason):
        self._check_manager()
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError(_("Say why the customer is put on hold or released."))
        reason = reason.strip()[:2000]
        for credit_file in self:
            if credit_file.on_hold == hold:
                raise UserError(_("%(customer)s is already %(state)s.", customer=credit_file.partner_id.display_name,
                                  state=_("on hold") if hold else _("released")))
            credit_file.write({"on_hold": hold, "hold_reason": reason if hold else False})
            self.env["customer.ledger.credit.hold.log"].sudo().create({
                "credit_file_id": credit_file.id, "action": "hold" if hold else "release", "reason": reason})
            credit_file.message_post(
                body=_("Put on hold: %s", reason) if hold else _("Released: %s", reason),
                subtype_xmlid="mail.mt_note")


class CustomerLedgerCreditHoldLog(models.Model):
    """A hold, a release, or an invoice posted over the customer's credit: who, when and why."""

    _name = "customer.ledger.credit.hold.log"
    _description = "Credit Log"
    _order = "create_date desc, id desc"

    credit_file_id = fields.Many2one("customer.ledger.credit.file", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="credit_file_id.company_id", store=True)
    action = fields.Selection([("hold", "Put on Hold"), ("release", "Released"), ("override", "Credit Override"),
                               ("warning", "Over Credit (Warning)"), ("review", "Credit Review")], required=True)
    reason = fields.Text(required=True)
    move_id = fields.Many2one("account.move", string="Invoice", ondelete="set null", readonly=True)
    review_id = fields.Many2one("customer.ledger.credit.review", string="Review", ondelete="set null", readonly=True)

    def write(self, vals):
        if not self.env.su:
            self.check_access_rights("write")  # who may not touch it at all is told so first
            raise UserError(_("The credit log is kept as it was written."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self.check_access_rights("unlink")
            raise UserError(_("The credit log is kept as it was written."))
        return super().unlink()
