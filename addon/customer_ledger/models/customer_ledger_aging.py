# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What is open of each receivable item of commercial customers on a date, and its aging: one
computation for the statements of account, the credit files and the receivables aging report.

An item is a posted journal item on a receivable account (``asset_receivable``) of the company
whose partner is the commercial customer or one of its contacts. What is open of it on a date is
its balance less the partial reconciliations of that date or earlier (``account_partial_reconcile
.max_date``), in the company's currency and in the item's own: later payments do not count yet.
With ``infinity`` as the date it is the item's residual as it is now (``amount_residual``).

Its age is the number of days past due (or, optionally, since its date) on the aging date; buckets
are closed by bounds in days, ``[30, 60, 90]`` giving Not Due, 1-30, 31-60, 61-90 and Over 90.
SQL buckets with ``width_bucket`` over :func:`aging_thresholds`, Python with :func:`aging_bucket`:
the same index.
"""
from bisect import bisect_right

from odoo import api, models

# The bounds of the credit files' fixed buckets (Not Due, 1-30, 31-60, 61-90, Over 90).
CREDIT_FILE_BOUNDS = (30, 60, 90)


def aging_thresholds(bounds):
    """The lower ends of the overdue buckets, for ``width_bucket``: ``[1, 31, 61, 91]`` for
    ``[30, 60, 90]`` (bucket 0 is not due: zero days or fewer)."""
    return [1] + [bound + 1 for bound in bounds]


def aging_bucket(days, bounds):
    """The bucket of an item ``days`` past due: 0 not due, 1 up to the first bound, ...,
    ``len(bounds) + 1`` over the last; as ``width_bucket(days, aging_thresholds(bounds))``."""
    return bisect_right(aging_thresholds(bounds), days)


def open_items_query(requests):
    """SQL selecting the receivable items of each request with what was open of them.

    ``requests`` is SQL selecting ``(request_id, partner_id, date_from, date_to)``: a commercial
    customer and a period. The result has, for each request, every posted receivable item of the
    customer and its contacts in the company ``%(company_id)s`` dated up to ``date_to`` (its
    ``request_id``, ``date_from``, ``date_to``, ``line_id``, ``date``, ``move_id``, ``currency_id``,
    ``balance``, ``amount_currency``, ``date_maturity``, ``name``, ``move_type``, ``ref``,
    ``is_payment``) with what was open of it on the eve of ``date_from`` (``open_from_bal``,
    ``open_from_cur``) and on ``date_to`` (``open_to_bal``, ``open_to_cur``), in the company's
    currency (bal) and in the item's (cur). A partial reconciliation lowers the residual of both its
    items from its ``max_date`` on."""
    return f"""
WITH request AS (
{requests}
), item AS (
    SELECT rq.request_id, rq.date_from, rq.date_to, l.id AS line_id, l.date, l.move_id, l.currency_id,
           l.balance, l.amount_currency, l.date_maturity, l.name, m.move_type, m.ref,
           (m.payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL) AS is_payment
      FROM request rq
      JOIN res_partner p ON p.commercial_partner_id = rq.partner_id
      JOIN account_move_line l ON l.partner_id = p.id
      JOIN account_account a ON a.id = l.account_id
      JOIN account_move m ON m.id = l.move_id
     WHERE l.company_id = %(company_id)s AND l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
       AND l.date <= rq.date_to
), part AS (
    SELECT pr.debit_move_id AS line_id, pr.max_date, -pr.amount AS bal, -pr.debit_amount_currency AS cur
      FROM account_partial_reconcile pr
     WHERE pr.debit_move_id IN (SELECT line_id FROM item)
    UNION ALL
    SELECT pr.credit_move_id, pr.max_date, pr.amount, pr.credit_amount_currency
      FROM account_partial_reconcile pr
     WHERE pr.credit_move_id IN (SELECT line_id FROM item)
), settled AS (
    SELECT item.request_id, item.line_id,
           SUM(part.bal) FILTER (WHERE part.max_date < item.date_from) AS bal_from,
           SUM(part.cur) FILTER (WHERE part.max_date < item.date_from) AS cur_from,
           SUM(part.bal) FILTER (WHERE part.max_date <= item.date_to) AS bal_to,
           SUM(part.cur) FILTER (WHERE part.max_date <= item.date_to) AS cur_to
      FROM item
      JOIN part ON part.line_id = item.line_id
     GROUP BY item.request_id, item.line_id
)
SELECT item.*,
       item.balance + COALESCE(settled.bal_from, 0) AS open_from_bal,
       item.amount_currency + COALESCE(settled.cur_from, 0) AS open_from_cur,
       item.balance + COALESCE(settled.bal_to, 0) AS open_to_bal,
       item.amount_currency + COALESCE(settled.cur_to, 0) AS open_to_cur
  FROM item
  LEFT JOIN settled ON settled.request_id = item.request_id AND settled.line_id = item.line_id
"""


# One request per commercial customer (all of them, or those of %(customers)s), on %(date)s.
_CUSTOMER_REQUESTS = """
    SELECT c.id AS request_id, c.id AS partner_id, %(date)s::date AS date_from, %(date)s::date AS date_to
      FROM res_partner c
     WHERE c.id = c.commercial_partner_id AND (%(all_customers)s OR c.id = ANY(%(customers)s::int[]))
"""
# What is open of each customer's items on %(date)s, by bucket of their age on %(aged_on)s, in the
# company's currency: (customer, bucket, amount), non-empty buckets only.
AGING_BY_CUSTOMER = """
SELECT o.request_id AS partner_id,
       width_bucket(%(aged_on)s::date - CASE WHEN %(by_due_date)s THEN COALESCE(o.date_maturity, o.date)
                                             ELSE o.date END,
                    %(thresholds)s::int[]) AS bucket,
       SUM(o.open_to_bal) AS amount
  FROM (""" + open_items_query(_CUSTOMER_REQUESTS) + """) AS o
 WHERE o.open_to_bal <> 0
 GROUP BY 1, 2
"""


class CustomerLedgerAging(models.AbstractModel):
    """The aging of receivables, for the models that show it (credit files, the aging report)."""

    _name = "customer.ledger.aging"
    _description = "Receivables Aging"

    @api.model
    def _ledger_aging_params(self, company, bounds, date=None, customers=None, aged_on=None, by_due_date=True):
        """The parameters of :data:`AGING_BY_CUSTOMER` (see :meth:`_ledger_aging`)."""
        return {
            "company_id": company.id, "date": date or "infinity", "aged_on": aged_on or date,
            "all_customers": customers is None, "customers": customers.ids if customers is not None else [],
            "by_due_date": bool(by_due_date), "thresholds": aging_thresholds(bounds),
        }

    @api.model
    def _ledger_aging(self, company, bounds, date=None, customers=None, aged_on=None, by_due_date=True):
        """``{customer id: [amount of each bucket]}``: what was open on ``date`` of the receivable
        items of ``customers`` (commercial partners; None: all) in ``company``, in its currency,
        by days past due on ``aged_on`` (default ``date``), or since their date when not
        ``by_due_date``, in the ``bounds``' buckets (``len(bounds) + 2`` amounts, rounded).
        Without ``date``, what is open now, future items and payments included (their residual).
        Customers with nothing open are left out."""
        if not (date or aged_on):
            raise ValueError("An aging needs a date to age the items on.")
        for model in ("account.move.line", "account.move", "account.partial.reconcile", "account.account",
                      "res.partner"):
            self.env[model].flush_model()
        self.env.cr.execute(AGING_BY_CUSTOMER, self._ledger_aging_params(
            company, bounds, date=date, customers=customers, aged_on=aged_on, by_due_date=by_due_date))
        currency = company.currency_id
        aging = {}
        for partner_id, bucket, amount in self.env.cr.fetchall():
            aging.setdefault(partner_id, [0.0] * (len(bounds) + 2))[bucket] = currency.round(amount)
        return aging
