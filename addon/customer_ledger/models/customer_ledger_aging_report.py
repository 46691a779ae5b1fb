# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The receivables aging report: what each commercial customer of one company owed on a date, by
aging bucket and by tier, as a pivot and as a PDF.

A run (``customer.ledger.aging.report``) is the report's options, filled in as a wizard; computing
it writes its buckets and one line per customer and non-empty bucket, in one query, from the same
computation as the statements of account and the credit files (``customer_ledger_aging.py``): per
customer the buckets add up to Odoo's receivable balance on the date, and to a statement of the
customer closing on that date.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_date

from .customer_ledger_aging import AGING_BY_CUSTOMER

READER_GROUPS = ("customer_ledger.group_ledger_user", "account.group_account_readonly")

_LINES = """
INSERT INTO customer_ledger_aging_report_line (
    report_id, company_id, partner_id, tier_id, bucket_id, amount, create_uid, create_date, write_uid, write_date)
SELECT %(report_id)s, %(company_id)s, a.partner_id, pr.tier_id, b.id, ROUND(a.amount, %(digits)s),
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM (""" + AGING_BY_CUSTOMER + """) AS a
  JOIN customer_ledger_aging_report_bucket b ON b.report_id = %(report_id)s AND b.sequence = a.bucket
  LEFT JOIN customer_ledger_profile pr ON pr.partner_id = a.partner_id AND pr.company_id = %(company_id)s
 WHERE ROUND(a.amount, %(digits)s) <> 0 AND (%(all_tiers)s OR pr.tier_id = ANY(%(tier_ids)s::int[]))
"""


class CustomerLedgerAgingReport(models.TransientModel):
    """A run of the receivables aging report: its options, its buckets and its lines."""

    _name = "customer.ledger.aging.report"
    _description = "Receivables Aging Report"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True

    date = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 domain=lambda self: [("id", "in", self.env.companies.ids)])
    currency_id = fields.Many2one(related="company_id.currency_id")
    bounds = fields.Char(
        string="Buckets", required=True,
        default=lambda self: self.env.company.ledger_statement_aging_bounds,
        help="Days past due closing each bucket, comma-separated and increasing: 30,60,90 gives Not Due, 1-30, "
        "31-60, 61-90 and Over 90. By default those of the statements of account.")
    by_due_date = fields.Boolean(
        default=True,
        help="Age the items by days past their due date; unticked, by days since their date.")
    tier_ids = fields.Many2many(
        "customer.ledger.tier", "customer_ledger_aging_report_tier_rel", "report_id", "tier_id", string="Tiers",
        check_company=True, help="Only the customers of these tiers. Empty: every customer, with a tier or not.")
    bucket_ids = fields.One2many("customer.ledger.aging.report.bucket", "report_id", readonly=True)
    line_ids = fields.One2many("customer.ledger.aging.report.line", "report_id", readonly=True)

    @api.constrains("bounds")
    def _check_bounds(self):
        for report in self:
            report._ledger_bounds()

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.bounds = self.company_id.ledger_statement_aging_bounds
        self.tier_ids = self.tier_ids.filtered(lambda tier: tier.company_id == self.company_id)

    def _ledger_bounds(self):
        """The buckets' bounds as days, e.g. ``[30, 60, 90]``; a clear error if they are not."""
        self.ensure_one()
        return self.env["res.company"]._ledger_parse_aging_bounds(self.bounds)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view(self):
        """Compute the report and open its lines as a pivot."""
        self.ensure_one()
        self._ledger_compute()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_ledger.customer_ledger_aging_report_line_action")
        action["name"] = _("Receivables Aging on %s", format_date(self.env, self.date))
        action["domain"] = [("report_id", "=", self.id)]
        return action

    def action_print(self):
        """Compute the report and print it as a PDF."""
        self.ensure_one()
        self._ledger_compute()
        return self.env.ref("customer_ledger.customer_ledger_aging_report_action").report_action(self)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @api.model
    def _check_reader(self):
        if not self.env.su and not any(self.env.user.has_group(group) for group in READER_GROUPS):
            raise AccessError(_("Only Ledger Users and accountants see the receivables aging."))

    def _ledger_labels(self):
        """The buckets' names, in the user's language."""
        labels = self.env["res.company"]._ledger_aging_labels(self._ledger_bounds())
        if not self.by_due_date:
            labels[0] = _("Current")
        return labels

    def _ledger_compute(self):
        """(Re)write the runs' buckets and lines: one query per run, whatever the number of customers."""
        self._check_reader()
        self.check_access_rights("write")
        self.check_access_rule("write")
        Aging = self.env["customer.ledger.aging"]
        for report in self:
            bounds = report._ledger_bounds()
            report.line_ids.unlink()
            report.bucket_ids.unlink()
            report.env["customer.ledger.aging.report.bucket"].create([
                {"report_id": report.id, "sequence": index, "name": label}
                for index, label in enumerate(report._ledger_labels())])
            params = Aging._ledger_aging_params(report.company_id, bounds, date=report.date,
                                                by_due_date=report.by_due_date)
            report.env.flush_all()
            report.env.cr.execute(_LINES, dict(
                params, report_id=report.id, uid=report.env.uid, digits=report.currency_id.decimal_places,
                all_tiers=not report.tier_ids, tier_ids=report.tier_ids.ids))
        self.invalidate_recordset(["line_ids"])
        self.env["customer.ledger.aging.report.line"].invalidate_model()

    def _ledger_table(self):
        """The PDF's table: ``{"sections": [{"tier", "rows": [{"partner", "amounts", "total"}],
        "amounts", "total"}], "amounts", "total"}``, sections in the tiers' order (customers
        without a tier last), rows by customer name, amounts by bucket."""
        self.ensure_one()
        count = len(self.bucket_ids)
        by_customer = {}
        for line in self.line_ids:
            row = by_customer.setdefault((line.tier_id, line.partner_id), [0.0] * count)
            row[line.bucket_id.sequence] += line.amount
        currency = self.currency_id
        sections = {}
        for (tier, partner), amounts in by_customer.items():
            sections.setdefault(tier, []).append({
                "partner": partner, "amounts": amounts, "total": currency.round(sum(amounts))})
        table = {"sections": [], "amounts": [0.0] * count, "total": 0.0}
        tiers = sorted(sections, key=lambda tier: (0, tier.sequence, tier.id) if tier else (1, 0, 0))
        for tier in tiers:
            rows = sorted(sections[tier], key=lambda row: (row["partner"].display_name or "").lower())
            amounts = [currency.round(sum(row["amounts"][index] for row in rows)) for index in range(count)]
            table["sections"].append({"tier": tier, "rows": rows, "amounts": amounts,
                                      "total": currency.round(sum(amounts))})
            table["amounts"] = [currency.round(a + b) for a, b in zip(table["amounts"], amounts, strict=True)]
        table["total"] = currency.round(sum(table["amounts"]))
        return table


class CustomerLedgerAgingReportBucket(models.TransientModel):
    """A bucket of a run, so that pivots and lists show the buckets in order of age."""

    _name = "customer.ledger.aging.report.bucket"
    _description = "Receivables Aging Bucket"
    _inherit = ["customer.ledger.company.guard"]
    _order = "report_id, sequence, id"

    report_id = fields.Many2one("customer.ledger.aging.report", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(required=True)
    name = fields.Char(required=True)


class CustomerLedgerAgingReportLine(models.TransientModel):
    """What one commercial customer owed in one bucket, in the company's currency."""

    _name = "customer.ledger.aging.report.line"
    _description = "Receivables Aging Line"
    _inherit = ["customer.ledger.company.guard"]
    _check_company_auto = True
    _order = "report_id, partner_id, bucket_id"

    report_id = fields.Many2one("customer.ledger.aging.report", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, check_company=True)
    tier_id = fields.Many2one("customer.ledger.tier", readonly=True, check_company=True)
    bucket_id = fields.Many2one("customer.ledger.aging.report.bucket", required=True,
                                readonly=True, ondelete="cascade")
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
