# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LedgerCreditCommon


@tagged("post_install", "-at_install")
class TestCreditScore(LedgerCreditCommon):
    """The score on known payment histories, as of 30 June 2026 with the default parameters."""

    today = date(2026, 6, 30)

    def late_payer(self):
        """Pays one invoice 20 days late, one on time, leaves one 60 days overdue, returns 5%."""
        customer = self.make_customer("Late Payer")
        late = self.invoice(customer, "2026-01-01", "2026-01-31", 1000)
        self.pay(late, "2026-02-20")
        on_time = self.invoice(customer, "2026-03-01", "2026-03-31", 3000)
        self.pay(on_time, "2026-03-25")
        self.invoice(customer, "2026-04-15", "2026-05-01", 1000)  # open: 60 days late on 30 June
        self.invoice(customer, "2026-04-20", "2026-04-20", 250, move_type="out_refund")
        return customer

    def test_score_of_a_late_payer(self):
        credit_file = self.Files._for_partner(self.late_payer())
        credit_file._ledger_compute_scores(self.today)
        breakdown = {name: round(credit_file[name], 1) for name in (
            "score_items", "score_days_late", "score_days_late_points", "score_on_time", "score_on_time_points",
            "score_worst_overdue", "score_worst_points", "dso", "dso_before", "score_dso_points", "score_returns",
            "score_returns_points", "score_tenure_months", "score_tenure_points")}
        self.assertEqual(breakdown, {
            "score_items": 3,
            # (1000 x 20 + 3000 x 0 + 1000 x 60) / 5000
            "score_days_late": 16.0, "score_days_late_points": 22.0,  # 30 x (1 - 16/60)
            "score_on_time": 60.0, "score_on_time_points": 15.0,  # 25 x 3000/5000
            "score_worst_overdue": 60, "score_worst_points": 7.5,  # 15 x (1 - 60/120)
            # 750 open against 750 of net sales in 90 days; nothing open 90 days before
            "dso": 90.0, "dso_before": 0.0, "score_dso_points": 0.0,  # up 90 days, zero at 30
            "score_returns": 5.0, "score_returns_points": 7.5,  # 250 of 5000: 10 x (1 - 5/20)
            "score_tenure_months": 5, "score_tenure_points": 1.4,  # 10 x 5/36
        })
        self.assertEqual(credit_file.score, 53)
        self.assertEqual(credit_file.score_date, self.today)

    def test_score_of_a_good_payer_and_of_a_new_customer(self):
        good = self.make_customer("Good Payer")
        for month in range(1, 13):  # monthly invoices, each paid the day before it is due: 7 in the window
            for year in (2023, 2024, 2025):
                invoice = self.invoice(good, f"{year}-{month:02}-01", f"{year}-{month:02}-28", 100)
                self.pay(invoice, f"{year}-{month:02}-27")
        invoice = self.invoice(good, "2026-04-10", "2026-05-10", 100)
        self.pay(invoice, "2026-05-01")
        new = self.make_customer("New Customer")
        self.invoice(new, "2026-06-20", "2026-07-20", 500)  # not due yet: no payment history
        files = self.Files._for_partner(good) | self.Files._for_partner(new)
        files._ledger_compute_scores(self.today)
        self.assertEqual((files[0].score, files[0].score_items, files[0].score_tenure_months), (100, 7, 41))
        self.assertEqual((files[1].score, files[1].score_items), (0, 0), "no history, no score")
        self.assertEqual(files[1].dso, 90.0, "500 open against 500 of sales in 90 days")

    def test_disputed_items_and_parameters(self):
        credit_file = self.Files._for_partner(self.late_payer())
        disputed = self.env["account.move.line"].search([
            ("partner_id", "=", credit_file.partner_id.id), ("account_type", "=", "asset_receivable"),
            ("reconciled", "=", False), ("balance", ">", 0)])
        disputed.blocked = True  # "No Follow-up": in litigation with the customer
        credit_file._ledger_compute_scores(self.today)
        self.assertEqual(credit_file.score_returns, 25.0, "(250 returned + 1000 disputed) of 5000")
        self.assertEqual(credit_file.score_returns_points, 0.0)
        self.company.write({
            "ledger_score_weight_days_late": 0, "ledger_score_weight_on_time": 100, "ledger_score_weight_worst": 0,
            "ledger_score_weight_dso": 0, "ledger_score_weight_returns": 0, "ledger_score_weight_tenure": 0})
        credit_file._ledger_compute_scores(self.today)
        self.assertEqual(credit_file.score, 60, "all the weight on the share paid on time")
        with self.assertRaisesRegex(ValidationError, "add up to 100"):
            self.company.ledger_score_weight_tenure = 10
        with self.assertRaises(ValidationError):
            self.company.ledger_score_days_late_zero = 0

    def test_daily_action_opens_files_and_scores_them(self):
        customer = self.late_payer()
        self.make_customer("Never Invoiced")
        self.Files.sudo()._cron_ledger_credit(commit=False)  # as the scheduler runs it
        credit_file = self.Files.search([("partner_id", "=", customer.id), ("company_id", "=", self.company.id)])
        self.assertTrue(credit_file, "every invoiced customer gets a credit file")
        self.assertTrue(credit_file.score_items)
        self.assertEqual(credit_file.score_date, date.today())
        self.assertFalse(self.Files.search([("partner_id.name", "=", "Never Invoiced")]))

    def test_aging_buckets(self):
        customer = self.make_customer("Aging")
        today = date.today()
        for days_overdue, amount in ((-5, 100), (10, 200), (45, 300), (75, 400), (200, 500)):
            due = date.fromordinal(today.toordinal() - days_overdue)
            self.invoice(customer, min(due, today).isoformat(), due.isoformat(), amount)
        credit_file = self.Files._for_partner(customer)
        self.assertEqual([credit_file[name] for name in ("aging_current", "aging_1_30", "aging_31_60",
                                                          "aging_61_90", "aging_over_90")],
                         [100, 200, 300, 400, 500])
