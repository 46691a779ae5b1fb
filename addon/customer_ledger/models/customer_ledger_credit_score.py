# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The credit score: 0 to 100 from how a customer has paid. README "Credit score" gives the formula.

Six components, each a fraction from 0 (bad) to 1 (good), weighted by company settings that add
up to 100:

- days late, weighted by amount: every amount paid (or still open) on an invoice that fell due
  in the window counts with the days between its due date and its payment (or today); the
  component falls linearly from 1 (none late) to 0 at ``days late for zero``;
- share paid on time: the part of those amounts paid by their due date;
- worst overdue: the most days late of any of them, falling to 0 at ``worst overdue for zero``;
- DSO trend: days sales outstanding now against 90 days before; steady or better is 1, worse
  falls to 0 at ``DSO rise for zero`` more days;
- disputes and returns: credit notes plus invoice items marked as in litigation ("No Follow-up"),
  as a share of what was invoiced in the window, falling to 0 at ``returns share for zero``;
- tenure: months since the first invoice, reaching 1 at ``tenure for full points``.
"""
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# Per commercial customer of one company, as of %(today)s: the amounts of invoices that fell due
# in the window with their days late, invoicing and credit notes, receivables for the DSO.
_SCORE_STATS = """
WITH items AS (
    SELECT l.id, p.commercial_partner_id AS partner_id, l.balance,
           COALESCE(l.date_maturity, l.date) AS due
      FROM account_move_line l
      JOIN account_move m ON m.id = l.move_id
      JOIN res_partner p ON p.id = l.partner_id
      JOIN account_account a ON a.id = l.account_id
     WHERE l.company_id = %(company_id)s AND l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
       AND m.move_type IN ('out_invoice', 'out_receipt') AND l.balance > 0
       AND COALESCE(l.date_maturity, l.date) < %(today)s AND p.commercial_partner_id IN %(partner_ids)s
), parts AS (
    -- what was paid (or credited) by today, with the days it came after the due date
    SELECT i.id, i.partner_id, r.amount, GREATEST(r.max_date - i.due, 0) AS days_late
      FROM items i
      JOIN account_partial_reconcile r ON r.debit_move_id = i.id
     WHERE r.max_date <= %(today)s AND i.due > %(window_start)s
     UNION ALL
    -- what is still open today, however old: late by every day since it fell due
    SELECT i.id, i.partner_id, i.balance - COALESCE(SUM(r.amount), 0), %(today)s - i.due
      FROM items i
      LEFT JOIN account_partial_reconcile r ON r.debit_move_id = i.id AND r.max_date <= %(today)s
     GROUP BY i.id, i.partner_id, i.balance, i.due
    HAVING i.balance - COALESCE(SUM(r.amount), 0) > 0
), payment AS (
    SELECT partner_id, COUNT(DISTINCT id) AS items, SUM(amount) AS assessed,
           SUM(amount * days_late) AS amount_days_late,
           SUM(amount) FILTER (WHERE days_late = 0) AS on_time, MAX(days_late) AS worst
      FROM parts
     GROUP BY partner_id
), invoicing AS (
    SELECT m.commercial_partner_id AS partner_id,
           SUM(m.amount_total_signed) FILTER (WHERE m.move_type = 'out_invoice'
                                                AND m.invoice_date > %(window_start)s) AS invoiced,
           -SUM(m.amount_total_signed) FILTER (WHERE m.move_type = 'out_refund'
                                                 AND m.invoice_date > %(window_start)s) AS refunded,
           SUM(m.amount_total_signed) FILTER (WHERE m.invoice_date > %(today)s - 90) AS sales_now,
           SUM(m.amount_total_signed) FILTER (WHERE m.invoice_date > %(today)s - 180
                                                AND m.invoice_date <= %(today)s - 90) AS sales_before,
           MIN(m.invoice_date) FILTER (WHERE m.move_type = 'out_invoice') AS first_date
      FROM account_move m
     WHERE m.company_id = %(company_id)s AND m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
       AND m.invoice_date <= %(today)s AND m.commercial_partner_id IN %(partner_ids)s
     GROUP BY m.commercial_partner_id
), receivable AS (
    SELECT p.commercial_partner_id AS partner_id,
           SUM(l.balance) AS ar_now,
           SUM(l.balance) FILTER (WHERE l.date <= %(today)s - 90) AS ar_before,
           SUM(l.balance) FILTER (WHERE l.blocked AND l.balance > 0 AND l.date > %(window_start)s) AS disputed
      FROM account_move_line l
      JOIN res_partner p ON p.id = l.partner_id
      JOIN account_account a ON a.id = l.account_id
     WHERE l.company_id = %(company_id)s AND l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
       AND l.date <= %(today)s AND p.commercial_partner_id IN %(partner_ids)s
     GROUP BY p.commercial_partner_id
)
SELECT partner.id AS partner_id, payment.items, payment.assessed, payment.amount_days_late, payment.on_time,
       payment.worst, invoicing.invoiced, invoicing.refunded, invoicing.sales_now, invoicing.sales_before,
       invoicing.first_date, receivable.ar_now, receivable.ar_before, receivable.disputed
  FROM unnest(%(partner_ids_array)s) AS partner(id)
  LEFT JOIN payment ON payment.partner_id = partner.id
  LEFT JOIN invoicing ON invoicing.partner_id = partner.id
  LEFT JOIN receivable ON receivable.partner_id = partner.id
"""

DSO_DAYS = 90  # the period over which days sales outstanding are measured
DSO_CAP = 365  # receivables with no sales in the period


def days_sales_outstanding(receivable, sales):
    """Receivables as days of the period's sales, capped."""
    if receivable <= 0:
        return 0.0
    if sales <= 0:
        return float(DSO_CAP)
    return min(receivable / sales * DSO_DAYS, float(DSO_CAP))


def _falling(value, zero_at):
    """1 at 0, falling linearly to 0 at ``zero_at``."""
    return max(0.0, 1.0 - value / zero_at) if value > 0 else 1.0


def score_breakdown(stats, today, params):
    """The score and its components from one customer's ``stats`` (a row of _SCORE_STATS)."""
    assessed = stats["assessed"] or 0.0
    days_late = (stats["amount_days_late"] or 0.0) / assessed if assessed else 0.0
    on_time = (stats["on_time"] or 0.0) / assessed if assessed else 1.0
    worst = stats["worst"] or 0
    dso = days_sales_outstanding(stats["ar_now"] or 0.0, stats["sales_now"] or 0.0)
    first_date = stats["first_date"]
    if first_date and first_date <= today - relativedelta(days=DSO_DAYS):
        dso_before = days_sales_outstanding(stats["ar_before"] or 0.0, stats["sales_before"] or 0.0)
    else:
        dso_before = dso  # no earlier period to compare with: no trend
    invoiced = stats["invoiced"] or 0.0
    returned = (stats["refunded"] or 0.0) + (stats["disputed"] or 0.0)
    returns = min(returned / invoiced, 1.0) if invoiced > 0 else 0.0
    tenure = relativedelta(today, first_date) if first_date else relativedelta()
    tenure_months = tenure.years * 12 + tenure.months
    fractions = {
        "days_late": _falling(days_late, params["days_late_zero"]),
        "on_time": on_time,
        "worst": _falling(worst, params["worst_zero"]),
        "dso": _falling(dso - dso_before, params["dso_rise_zero"]),
        "returns": _falling(returns, params["returns_zero"] / 100.0),
        "tenure": min(tenure_months / params["tenure_full"], 1.0),
    }
    points = {name: round(params["weights"][name] * fraction, 1) for name, fraction in fractions.items()}
    return {
        "score": round(sum(points.values())) if stats["items"] else 0,
        "score_items": stats["items"] or 0,
        "score_days_late": round(days_late, 1),
        "score_days_late_points": points["days_late"],
        "score_on_time": round(on_time * 100, 1),
        "score_on_time_points": points["on_time"],
        "score_worst_overdue": worst,
        "score_worst_points": points["worst"],
        "dso": round(dso, 1),
        "dso_before": round(dso_before, 1),
        "score_dso_points": points["dso"],
        "score_returns": round(returns * 100, 1),
        "score_returns_points": points["returns"],
        "score_tenure_months": tenure_months,
        "score_tenure_points": points["tenure"],
    }


class CustomerLedgerCreditFile(models.Model):
    _inherit = "customer.ledger.credit.file"

    score = fields.Integer(string="Credit Score", readonly=True, group_operator="avg",
                           help="0 to 100 from how the customer has paid; see its breakdown.")
    score_date = fields.Date(string="Scored On", readonly=True)
    score_items = fields.Integer(string="Invoice Items Assessed", readonly=True,
                                 help="No item fell due yet: no payment history, no score.")
    score_days_late = fields.Float(string="Days Late (by Amount)", readonly=True, digits=(16, 1))
    score_days_late_points = fields.Float(string="Days Late Points", readonly=True, digits=(16, 1))
    score_on_time = fields.Float(string="Paid on Time (%)", readonly=True, digits=(16, 1))
    score_on_time_points = fields.Float(string="On Time Points", readonly=True, digits=(16, 1))
    score_worst_overdue = fields.Integer(string="Worst Overdue (Days)", readonly=True)
    score_worst_points = fields.Float(string="Worst Overdue Points", readonly=True, digits=(16, 1))
    dso = fields.Float(string="DSO (Days)", readonly=True, digits=(16, 1),
                       help="Days sales outstanding: receivables as days of the last 90 days' sales.")
    dso_before = fields.Float(string="DSO 90 Days Before", readonly=True, digits=(16, 1))
    score_dso_points = fields.Float(string="DSO Trend Points", readonly=True, digits=(16, 1))
    score_returns = fields.Float(string="Returned or Disputed (%)", readonly=True, digits=(16, 1))
    score_returns_points = fields.Float(string="Returns Points", readonly=True, digits=(16, 1))
    score_tenure_months = fields.Integer(string="Tenure (Months)", readonly=True)
    score_tenure_points = fields.Float(string="Tenure Points", readonly=True, digits=(16, 1))

    def action_ledger_compute_score(self):
        """Score these files now (the daily scheduled action scores them all)."""
        self.check_access_rights("read")
        self.check_access_rule("read")
        self.sudo()._ledger_compute_scores()
        return True

    def _ledger_compute_scores(self, today=None):
        """Score every file in ``self`` as of ``today``, set-wise: one query per company."""
        today = today or fields.Date.context_today(self)
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        for company in self.company_id:
            files = self.filtered(lambda f, company=company: f.company_id == company)
            params = company._ledger_score_params()
            window_start = today - relativedelta(months=company.ledger_score_window_months)
            by_partner = {credit_file.partner_id.id: credit_file for credit_file in files}  # one per customer
            partner_ids = list(by_partner)
            for start in range(0, len(partner_ids), 10000):
                chunk = partner_ids[start:start + 10000]
                self.env.cr.execute(_SCORE_STATS, {
                    "company_id": company.id, "today": today, "window_start": window_start,
                    "partner_ids": tuple(chunk), "partner_ids_array": chunk})
                for stats in self.env.cr.dictfetchall():
                    credit_file = by_partner[stats["partner_id"]]
                    values = dict(score_breakdown(stats, today, params), score_date=today)
                    changed = {k: v for k, v in values.items() if credit_file[k] != v}
                    if changed:
                        credit_file.write(changed)

    @api.model
    def _ledger_open_files(self, company):
        """Files for every commercial customer with a posted customer invoice in ``company``."""
        self.env["account.move"].flush_model(["company_id", "state", "move_type", "commercial_partner_id"])
        self.env.cr.execute("""
            SELECT DISTINCT m.commercial_partner_id
              FROM account_move m
             WHERE m.company_id = %s AND m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.commercial_partner_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM customer_ledger_credit_file f
                                WHERE f.partner_id = m.commercial_partner_id AND f.company_id = m.company_id)
        """, (company.id,))
        partners = self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())
        limits = partners.with_company(company)._ledger_default_credit_limits()
        return self.with_context(tracking_disable=True).create([
            {"partner_id": partner.id, "company_id": company.id, "credit_limit": limits[partner]}
            for partner in partners
        ])

    @api.model
    def _cron_ledger_credit(self, commit=True):
        """Daily: a file for every invoiced customer, every score, and the reviews that fall due.
        Each company is committed as it is done, so that a long run keeps what it did."""
        for company in self.env["res.company"].search([]):
            Files = self.with_company(company)
            Files._ledger_open_files(company)
            Files.search([("company_id", "=", company.id)])._ledger_compute_scores()
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        today = fields.Date.context_today(self)
        self.search([("next_review_date", "<=", today)])._ledger_schedule_due_reviews()
