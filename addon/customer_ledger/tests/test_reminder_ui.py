# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields, http
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestReminderUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert http.root.statics  # read the manifests once (see TestLedgerUi)

    def test_send_reminder_now_and_promise(self):
        company = self.env.ref("base.main_company")
        company.ledger_reminder_policy_id = self.env.ref("customer_ledger.reminder_policy_standard")
        customer = self.env["res.partner"].create({"name": "Tour Reminded Customer", "is_company": True,
                                                   "email": "ap@tour-reminder.example.com"})
        today = fields.Date.context_today(customer)
        invoice = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice", "partner_id": customer.id, "invoice_date": today - timedelta(days=40),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [(0, 0, {"name": "Tour goods", "quantity": 1, "price_unit": 500.0,
                                         "tax_ids": [(6, 0, [])]})],
        })
        invoice.invoice_date_due = today - timedelta(days=10)
        invoice.action_post()
        self.start_tour(f"/web#model=res.partner&id={customer.id}&view_type=form",
                        "customer_ledger_reminder_tour", login="admin")
        reminder = self.env["customer.ledger.reminder"].search([("partner_id", "=", customer.id)])
        self.assertEqual((reminder.state, reminder.line_ids.move_id), ("sent", invoice))
        credit_file = self.env["customer.ledger.credit.file"].search([
            ("partner_id", "=", customer.id), ("company_id", "=", company.id)])
        # the tour types "30 days from now" in the browser's time zone, which is the machine's and may
        # be a day away from the user's near midnight: either day is the right answer
        self.assertIn(credit_file.promise_date - timedelta(days=30), {today, fields.Date.today()})
        self.assertEqual((credit_file.promise_amount, credit_file.promise_note), (500.0, "Pays next month"))
