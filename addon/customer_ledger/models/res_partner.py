# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from .customer_ledger_profile import CUSTOMER_TYPES, LIFECYCLES

_LEDGER = "customer_ledger.group_ledger_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    ledger_source_id = fields.Many2one("customer.ledger.source", string="Customer Source")
    ledger_profile_ids = fields.One2many("customer.ledger.profile", "partner_id", string="Ledger Profiles",
                                         groups=_LEDGER)
    # the current company's profile, as shown on the customer's Ledger tab
    ledger_profile_id = fields.Many2one("customer.ledger.profile", compute="_compute_ledger_profile",
                                        search="_search_ledger_profile", groups=_LEDGER)
    ledger_tier_id = fields.Many2one(related="ledger_profile_id.tier_id", string="Tier", groups=_LEDGER)
    ledger_tier_locked = fields.Boolean(related="ledger_profile_id.tier_locked", groups=_LEDGER)
    ledger_revenue = fields.Monetary(related="ledger_profile_id.revenue", string="Revenue (Window)",
                                     currency_field="ledger_currency_id", groups=_LEDGER)
    ledger_currency_id = fields.Many2one(related="ledger_profile_id.currency_id", groups=_LEDGER)
    ledger_invoice_count = fields.Integer(related="ledger_profile_id.invoice_count", groups=_LEDGER)
    ledger_first_invoice_date = fields.Date(related="ledger_profile_id.first_invoice_date", groups=_LEDGER)
    ledger_last_invoice_date = fields.Date(related="ledger_profile_id.last_invoice_date", groups=_LEDGER)
    ledger_lifecycle = fields.Selection(LIFECYCLES, compute="_compute_ledger_profile", groups=_LEDGER)
    ledger_customer_type = fields.Selection(CUSTOMER_TYPES, compute="_compute_ledger_customer_type")
    # the current company's credit file, as shown on the Ledger tab
    ledger_credit_file_ids = fields.One2many("customer.ledger.credit.file", "partner_id", string="Credit Files",
                                             groups=_LEDGER)
    ledger_credit_file_id = fields.Many2one("customer.ledger.credit.file", compute="_compute_ledger_credit_file",
                                            search="_search_ledger_credit_file", string="Credit File", groups=_LEDGER)
    ledger_credit_limit = fields.Monetary(related="ledger_credit_file_id.credit_limit", string="Ledger Credit Limit",
                                          currency_field="ledger_credit_currency_id", groups=_LEDGER)
    ledger_credit_currency_id = fields.Many2one(related="ledger_credit_file_id.currency_id", groups=_LEDGER)
    ledger_exposure = fields.Monetary(related="ledger_credit_file_id.exposure", string="Exposure",
                                      currency_field="ledger_credit_currency_id", groups=_LEDGER)
    ledger_available = fields.Monetary(related="ledger_credit_file_id.available", string="Available Credit",
                                       currency_field="ledger_credit_currency_id", groups=_LEDGER)
    ledger_risk_level = fields.Selection(related="ledger_credit_file_id.risk_level", groups=_LEDGER)
    ledger_on_hold = fields.Boolean(related="ledger_credit_file_id.on_hold", string="On Credit Hold",
                                    groups=_LEDGER)
    ledger_hold_reason = fields.Text(related="ledger_credit_file_id.hold_reason", groups=_LEDGER)
    ledger_score = fields.Integer(related="ledger_credit_file_id.score", groups=_LEDGER)
    ledger_score_items = fields.Integer(related="ledger_credit_file_id.score_items", groups=_LEDGER)
    ledger_dso = fields.Float(related="ledger_credit_file_id.dso", groups=_LEDGER)
    ledger_next_review_date = fields.Date(related="ledger_credit_file_id.next_review_date", groups=_LEDGER)
    ledger_aging_current = fields.Monetary(related="ledger_credit_file_id.aging_current", groups=_LEDGER,
                                           currency_field="ledger_credit_currency_id")
    ledger_aging_1_30 = fields.Monetary(related="ledger_credit_file_id.aging_1_30", groups=_LEDGER,
                                        currency_field="ledger_credit_currency_id")
    ledger_aging_31_60 = fields.Monetary(related="ledger_credit_file_id.aging_31_60", groups=_LEDGER,
                                         currency_field="ledger_credit_currency_id")
    ledger_aging_61_90 = fields.Monetary(related="ledger_credit_file_id.aging_61_90", groups=_LEDGER,
                                         currency_field="ledger_credit_currency_id")
    ledger_aging_over_90 = fields.Monetary(related="ledger_credit_file_id.aging_over_90", groups=_LEDGER,
                                           currency_field="ledger_credit_currency_id")
    ledger_credit_log_ids = fields.One2many(related="ledger_credit_file_id.hold_log_ids", groups=_LEDGER)
    ledger_review_ids = fields.One2many(related="ledger_credit_file_id.review_ids", groups=_LEDGER)
    # the current company's statements of account (models/customer_ledger_statement.py)
    ledger_statement_ids = fields.Many2many(
        "customer.ledger.statement", compute="_compute_ledger_statements", string="Statements of Account",
        groups=_LEDGER)
    ledger_last_confirmed_date = fields.Date(
        compute="_compute_ledger_statements", string="Last Confirmed Statement",
        groups=_LEDGER)
    ledger_last_confirmed_balance = fields.Monetary(
        compute="_compute_ledger_statements", string="Last Confirmed Balance",
        currency_field="ledger_last_confirmed_currency_id", groups=_LEDGER)
    ledger_last_confirmed_currency_id = fields.Many2one(
        "res.currency", compute="_compute_ledger_statements", groups=_LEDGER)
    # the current company's payment reminders and promise to pay (models/customer_ledger_reminder.py)
    ledger_reminder_ids = fields.Many2many(
        "customer.ledger.reminder", compute="_compute_ledger_reminders", string="Payment Reminders", groups=_LEDGER)
    ledger_promise_date = fields.Date(related="ledger_credit_file_id.promise_date", groups=_LEDGER)
    ledger_promise_amount = fields.Monetary(related="ledger_credit_file_id.promise_amount", groups=_LEDGER,
                                            currency_field="ledger_credit_currency_id")
    ledger_promise_note = fields.Text(related="ledger_credit_file_id.promise_note", groups=_LEDGER)

    def _ledger_mail_recipient(self):
        """Where statements and reminders to this customer go: its invoice address if that has an
        email, else the customer itself if it has one, else the invoice address (which cannot be
        mailed: callers say so)."""
        self.ensure_one()
        invoice_address = self.browse(self.address_get(["invoice"])["invoice"])
        if not invoice_address.email and self.email:
            return self
        return invoice_address

    def _ledger_company_records(self, model):
        """``model``'s records of these partners' commercial partners in the current company."""
        return self.env[model].search([
            ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)])

    def _ledger_current_company(self, model):
        """``model``'s records of these partners' commercial partners in the current company (one each at
        most: profiles, credit files), by commercial partner, and the empty record."""
        records = self._ledger_company_records(model)
        return {record.partner_id: record for record in records}, records.browse()

    @api.depends_context("company")
    @api.depends("ledger_profile_ids")
    def _compute_ledger_profile(self):
        by_partner, none = self._ledger_current_company("customer.ledger.profile")
        for partner in self:
            profile = by_partner.get(partner.commercial_partner_id, none)
            partner.ledger_profile_id = profile
            partner.ledger_lifecycle = profile.lifecycle or "potential"

    def _search_ledger_profile(self, operator, value):
        # what changes a profile changes the customer's tab: only the commercial partner has profiles
        return [("ledger_profile_ids", operator, value)]

    @api.depends_context("company")
    def _compute_ledger_statements(self):
        """The commercial customer's statements in the current company, and the last one it confirmed."""
        statements = self._ledger_company_records("customer.ledger.statement")
        for partner in self:
            own = statements.filtered(lambda s, partner=partner: s.partner_id == partner.commercial_partner_id)
            confirmed = own.filtered("confirmed_date").sorted(lambda s: (s.confirmed_date, s.date_to, s.id))[-1:]
            partner.ledger_statement_ids = own
            partner.ledger_last_confirmed_date = confirmed.confirmed_date
            partner.ledger_last_confirmed_balance = confirmed.confirmed_balance
            partner.ledger_last_confirmed_currency_id = confirmed.currency_id

    @api.depends_context("company")
    def _compute_ledger_reminders(self):
        """The commercial customer's payment reminders in the current company, newest first."""
        reminders = self._ledger_company_records("customer.ledger.reminder")
        for partner in self:
            partner.ledger_reminder_ids = reminders.filtered(
                lambda r, partner=partner: r.partner_id == partner.commercial_partner_id)

    def action_ledger_send_reminder(self):
        """Prepare and send the customer's payment reminder now, as the daily run would."""
        self.ensure_one()
        Reminders = self.env["customer.ledger.reminder"]
        Reminders._ledger_check_accountant()
        sent = Reminders._ledger_send_to(self, self.env.company, fields.Date.context_today(self))
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "message": _("Payment reminder sent to %s.", sent.recipient_id.email),
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def action_ledger_record_promise(self):
        self.ensure_one()
        self.env["customer.ledger.credit.file"]._ledger_check_promise_rights()
        return {
            "type": "ir.actions.act_window", "name": _("Promise to Pay"), "res_model": "customer.ledger.promise.wizard",
            "view_mode": "form", "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id, "default_company_id": self.env.company.id},
        }

    def _search_ledger_credit_file(self, operator, value):
        return [("ledger_credit_file_ids", operator, value)]

    @api.depends_context("company")
    def _compute_ledger_credit_file(self):
        by_partner, none = self._ledger_current_company("customer.ledger.credit.file")
        for partner in self:
            partner.ledger_credit_file_id = by_partner.get(partner.commercial_partner_id, none)

    def action_ledger_open_credit_file(self):
        """The customer's credit file in the current company, made if missing (Credit Managers)."""
        self.ensure_one()
        credit_file = self.env["customer.ledger.credit.file"]._for_partner(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.ledger.credit.file",
            "res_id": credit_file.id,
            "view_mode": "form",
        }

    @api.depends("commercial_partner_id.is_company")
    def _compute_ledger_customer_type(self):
        for partner in self:
            partner.ledger_customer_type = "company" if partner.commercial_partner_id.is_company else "individual"

    def _ledger_profile(self, company=None):
        """The commercial partner's profile in ``company`` (default: the current one), made if missing."""
        self.ensure_one()
        company = company or self.env.company
        Profile = self.env["customer.ledger.profile"]
        partner = self.commercial_partner_id
        profile = Profile.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        if not profile:
            Profile._ledger_check_manager()
            profile = Profile.sudo().create({"partner_id": partner.id, "company_id": company.id}).sudo(False)
        return profile

    def _ledger_default_credit_limits(self):
        """{partner: limit} for these commercial partners' new credit files in the current company: Odoo's
        credit limit, else the default of the customer's tier."""
        profiles = self.env["customer.ledger.profile"].sudo().search([
            ("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id)])
        tier_limits = {profile.partner_id: profile.tier_id.credit_limit for profile in profiles}
        return {partner: partner.credit_limit or tier_limits.get(partner, 0.0) for partner in self}

    def action_ledger_change_tier(self):
        self.ensure_one()
        profile = self._ledger_profile()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change Tier"),
            "res_model": "customer.ledger.tier.change.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_profile_id": profile.id, "default_tier_id": profile.tier_id.id},
        }

    @api.model_create_multi
    def create(self, vals_list):
        Files = self.env["customer.ledger.credit.file"]
        for vals in vals_list:
            if "credit_limit" in vals:
                # a new customer's limit seeds its credit file: under four eyes, through a review
                if Files._ledger_check_amounts({"credit_limit": vals["credit_limit"]})["credit_limit"]:
                    Files._ledger_refuse_direct_limit(self.env.company, vals.get("name") or "")
        return super().create(vals_list)

    def write(self, vals):
        if "credit_limit" in vals:
            Files = self.env["customer.ledger.credit.file"]
            limit = Files._ledger_check_amounts({"credit_limit": vals["credit_limit"]})["credit_limit"]
            currency = self.env.company.currency_id
            for partner in self.sudo().filtered(lambda p: currency.compare_amounts(p.credit_limit, limit)):
                Files._ledger_refuse_direct_limit(self.env.company, partner.display_name)
            files = Files.sudo().search([
                ("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)])
            files = files.filtered(lambda f: f.currency_id.compare_amounts(f.credit_limit, limit))
            if files:
                # the credit file owns the limit: only Credit Managers change it, and both stay in step
                files.sudo(False)._check_manager()
                files.write({"credit_limit": vals["credit_limit"]})
        return super().write(vals)
