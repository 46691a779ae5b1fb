# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .customer_ledger_profile import check_credit_manager

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]

# What a customer owes or is about to owe, per commercial partner, in the company's currency:
# posted receivables not yet paid, and customer invoices (less credit notes) still in draft.
_EXPOSURE = """
SELECT partner_id, SUM(receivable), SUM(draft)
  FROM (
    SELECT p.commercial_partner_id AS partner_id, l.amount_residual AS receivable, 0 AS draft
      FROM account_move_line l
      JOIN res_partner p ON p.id = l.partner_id
      JOIN account_account a ON a.id = l.account_id
     WHERE l.company_id = %(company_id)s AND l.parent_state = 'posted' AND NOT l.reconciled
       AND a.account_type = 'asset_receivable' AND p.commercial_partner_id IN %(partner_ids)s
     UNION ALL
    SELECT m.commercial_partner_id, 0, m.amount_total_signed
      FROM account_move m
     WHERE m.company_id = %(company_id)s AND m.state = 'draft'
       AND m.move_type IN ('out_invoice', 'out_refund') AND m.commercial_partner_id IN %(partner_ids)s
  ) exposure
 GROUP BY partner_id
"""


class CustomerLedgerCreditFile(models.Model):
    """One commercial customer's credit with one company: limit, exposure, holds."""

    _name = "customer.ledger.credit.file"
    _description = "Credit File"
    _inherit = ["mail.thread"]
    _order = "company_id, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade",
                                 readonly=True, domain="[('is_company', '=', True)]")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", readonly=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(
        currency_field="currency_id", tracking=True,
        help="Kept in step with the customer's credit limit in Odoo (Accounting tab), so that its "
        "warning on invoices keeps working. Zero: no limit.",
    )
    receivable = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                 string="Open Receivables")
    draft_invoiced = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                     string="Draft Invoices")
    exposure = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                               help="Posted open receivables plus draft customer invoices, less credit notes.")
    available = fields.Monetary(compute="_compute_exposure", currency_field="currency_id",
                                string="Available Credit")
    risk_level = fields.Selection(RISK_LEVELS, compute="_compute_exposure")
    on_hold = fields.Boolean(readonly=True, tracking=True)
    hold_reason = fields.Text(readonly=True)
    hold_log_ids = fields.One2many("customer.ledger.credit.hold.log", "credit_file_id", string="Holds",
                                   readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one credit file per company."),
    ]

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        for credit_file in self:
            if credit_file.credit_limit < 0:
                raise ValidationError(_("The credit limit of %s cannot be negative.",
                                        credit_file.partner_id.display_name))

    @api.depends("credit_limit", "on_hold")
    def _compute_exposure(self):
        amounts = {}
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        for company in self.company_id:
            files = self.filtered(lambda f, company=company: f.company_id == company)
            self.env.cr.execute(_EXPOSURE, {"company_id": company.id, "partner_ids": tuple(files.partner_id.ids)})
            for partner_id, receivable, draft in self.env.cr.fetchall():
                amounts[partner_id, company.id] = (receivable or 0.0, draft or 0.0)
        for credit_file in self:
            receivable, draft = amounts.get((credit_file.partner_id.id, credit_file.company_id.id), (0.0, 0.0))
            currency = credit_file.currency_id
            credit_file.receivable = currency.round(receivable)
            credit_file.draft_invoiced = currency.round(draft)
            credit_file.exposure = currency.round(receivable + draft)
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
        return "high" if used >= 0.8 else "medium" if used >= 0.5 else "low"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        files = super().create(vals_list)
        files._sync_partner_limit()
        return files

    def write(self, vals):
        if {"credit_limit", "on_hold", "hold_reason"} & set(vals):
            self._check_manager()
        result = super().write(vals)
        if "credit_limit" in vals:
            self._sync_partner_limit()
        return result

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
                "credit_limit": partner.with_company(company).credit_limit,
            })
        return credit_file

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
    """A hold or a release: who, when and why."""

    _name = "customer.ledger.credit.hold.log"
    _description = "Credit Hold Log"
    _order = "create_date desc, id desc"

    credit_file_id = fields.Many2one("customer.ledger.credit.file", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="credit_file_id.company_id", store=True)
    action = fields.Selection([("hold", "Put on Hold"), ("release", "Released")], required=True)
    reason = fields.Text(required=True)

    def write(self, vals):
        if not self.env.su:
            raise UserError(_("The hold log is kept as it was written."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise UserError(_("The hold log is kept as it was written."))
        return super().unlink()
