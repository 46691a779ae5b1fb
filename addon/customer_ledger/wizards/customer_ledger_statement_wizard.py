# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CustomerLedgerStatementWizard(models.TransientModel):
    """Draft statements of account for a period: for chosen customers, or for every customer with
    a receivable balance at the end of the period or items in it."""

    _name = "customer.ledger.statement.wizard"
    _description = "Generate Statements of Account"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True

    @api.model
    def _default_date_from(self):
        return fields.Date.context_today(self).replace(month=1, day=1)

    date_from = fields.Date(string="Period Start", required=True, default=_default_date_from)
    date_to = fields.Date(string="Period End", required=True, default=fields.Date.context_today)
    scope = fields.Selection(
        [("partners", "Chosen Customers"), ("all", "All with a Balance or Movements")], required=True,
        default="partners")
    partner_ids = fields.Many2many("res.partner", string="Customers", check_company=True,
                                   domain="[('parent_id', '=', False)]")
    user_id = fields.Many2one("res.users", string="Responsible", default=lambda self: self.env.user, check_company=True,
                              domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
                              help="The accountant who follows the customers' answers.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and context.get("active_model") == "res.partner" and context.get("active_ids"):
            values["partner_ids"] = [(6, 0, context["active_ids"])]
            # after the guard's own look at the defaults: customers of another company are refused here
            self.new(values)._ledger_check_given(["partner_ids"])
        return values

    def action_generate(self):
        """Make (or refresh) the drafts, and open them."""
        self.ensure_one()
        Statements = self.env["customer.ledger.statement"]
        Statements._check_accountant()
        if self.date_from > self.date_to:  # before looking for customers active in it
            raise UserError(_("A statement's period cannot start after it ends."))
        if self.scope == "all":
            partners = Statements._ledger_customers_with_activity(self.date_from, self.date_to)
        else:
            partners = self.partner_ids
        if not partners:
            raise UserError(_("No customer to make a statement for."))
        # the responsible of new drafts only: drafts refreshed keep theirs
        statements = Statements._ledger_generate(partners, self.date_from, self.date_to, user=self.user_id)
        return statements._ledger_action_open()
