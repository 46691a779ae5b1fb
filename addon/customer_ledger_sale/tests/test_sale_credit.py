# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from odoo.addons.customer_ledger.tests.common import LedgerCreditCommon


@tagged("post_install", "-at_install")
class TestSaleCredit(LedgerCreditCommon):
    """Confirming quotations over the customer's limit or on hold, in warn and block mode, and overrides."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.credit_manager.groups_id |= cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.salesman = new_test_user(cls.env, login="credit_salesman", name="Sam Sales",
                                     groups="sales_team.group_sale_salesman_all_leads",
                                     company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.customer = cls.make_customer("Limited Customer")
        cls.buyer = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.customer.id})
        cls.credit_file = cls.Files._for_partner(cls.customer)
        cls.credit_file.credit_limit = 1000
        cls.invoice(cls.customer, "2026-11-01", "2026-12-01", 800)

    def quotation(self, price, partner=None, **values):
        return self.env["sale.order"].with_user(self.salesman).create({
            "partner_id": (partner or self.buyer).id,
            "order_line": [Command.create({"product_id": self.product_a.id, "price_unit": price,
                                           "tax_id": [Command.clear()]})],
            **values,
        })

    def test_block_refuses_with_the_amounts_and_names(self):
        self.company.ledger_credit_enforcement = "block"
        order = self.quotation(300)
        self.assertTrue(order.ledger_credit_blocked)
        with self.assertRaises(UserError) as refused:
            order.action_confirm()
        message = str(refused.exception)
        for expected in (order.name, "Limited Customer", "1,100.00", "100.00 over", "1,000.00",
                         "Confirm with Credit Override", "Carla Credit"):
            self.assertIn(expected, message)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.ledger_credit_problem, message)
        # within the limit (800 + 200), it confirms; the refused quotation does not count against it
        within = self.quotation(200)
        self.assertFalse(within.ledger_credit_problem)
        within.action_confirm()
        self.assertEqual(within.state, "sale")
        self.assertFalse(within.ledger_credit_problem, "no banner once confirmed")
        self.assertFalse(self.credit_file.hold_log_ids)
        # without a credit file, Odoo's credit limit of the customer
        newcomer = self.make_customer("Newcomer", credit_limit=100)
        with self.assertRaisesRegex(UserError, "50.00 over"):
            self.quotation(150, partner=newcomer).action_confirm()

    def test_an_order_paid_in_full_is_not_held_back(self):
        self.company.ledger_credit_enforcement = "block"
        self.credit_file.action_hold("Cheque bounced")
        order = self.quotation(300)
        provider = self.env["payment.provider"].create({"name": "Prepaid", "code": "none", "state": "test"})
        method = self.env.ref("payment.payment_method_unknown")
        transaction = self.env["payment.transaction"].create({
            "provider_id": provider.id, "payment_method_id": method.id, "amount": 150.0,
            "currency_id": order.currency_id.id, "partner_id": self.customer.id, "reference": "CL-PREPAID-1",
            "sale_order_ids": [Command.set(order.ids)]})
        transaction.state = "done"  # paid, as the provider's notification would leave it
        self.assertTrue(order.ledger_credit_blocked, "half paid: still checked")
        transaction.amount = 300.0
        order.invalidate_recordset(["amount_paid", "ledger_credit_problem", "ledger_credit_blocked"])  # a new request
        self.assertFalse(order.ledger_credit_problem)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_other_quotations_do_not_count(self):
        self.company.ledger_credit_enforcement = "block"
        large = self.quotation(5000)
        self.assertEqual(self.credit_file.exposure, 5800, "quotations count in the exposure")
        small = self.quotation(150)
        self.assertFalse(small.ledger_credit_problem)
        small.action_confirm()
        self.assertEqual(small.state, "sale")
        large.invalidate_recordset(["ledger_credit_problem"])  # computed with small's, before it was confirmed
        self.assertRegex(large.ledger_credit_problem, r"to \$\s5,950.00, \$\s4,950.00 over")

    def test_hold_refuses_in_block_mode_and_warns_in_warn_mode(self):
        self.credit_file.action_hold("Cheque bounced")
        self.company.ledger_credit_enforcement = "block"
        order = self.quotation(10)
        with self.assertRaisesRegex(UserError, r"on credit hold \(Cheque bounced\): S\d+ of \$\s10.00 cannot be "
                                               "confirmed"):
            order.action_confirm()
        self.company.ledger_credit_enforcement = "warn"
        order.invalidate_recordset(["ledger_credit_problem", "ledger_credit_blocked"])
        self.assertFalse(order.ledger_credit_blocked)
        self.assertIn("on credit hold", order.ledger_credit_problem)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        log = self.credit_file.hold_log_ids[0]
        self.assertEqual((log.action, log.sale_order_id, log.move_id, log.create_uid),
                         ("warning", order, self.env["account.move"], self.salesman))
        self.assertIn("on credit hold", log.reason)
        self.assertIn("warning only", order.message_ids[0].body)
        self.assertIn("warning only", self.credit_file.message_ids[0].body)

    def test_warn_confirms_over_the_limit_and_logs(self):
        self.company.ledger_credit_enforcement = "warn"
        order = self.quotation(300)
        self.assertFalse(order.ledger_credit_blocked)
        self.assertIn("100.00 over", order.ledger_credit_problem)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        log = self.credit_file.hold_log_ids
        self.assertEqual((log.action, log.sale_order_id), ("warning", order))
        self.assertIn("100.00 over", log.reason)

    def test_override_by_a_credit_manager_is_logged(self):
        self.company.ledger_credit_enforcement = "block"
        order = self.quotation(300)
        with self.assertRaises(AccessError):
            order.with_context(ledger_credit_override="mine").action_confirm()
        with self.assertRaises(AccessError):
            order.action_ledger_credit_override()
        self.assertEqual(order.state, "draft")
        action = order.with_user(self.credit_manager).action_ledger_credit_override()
        wizard = self.env[action["res_model"]].with_user(self.credit_manager).with_context(**action["context"]).create(
            {"reason": "Deposit received, confirmed by phone"})
        self.assertEqual(wizard.order_ids, order)
        self.assertIn("100.00 over", wizard.problems)
        wizard.action_confirm_orders()
        self.assertEqual(order.state, "sale")
        log = self.credit_file.hold_log_ids
        self.assertEqual((log.action, log.sale_order_id, log.create_uid), ("override", order, self.credit_manager))
        self.assertEqual(log.reason, "Deposit received, confirmed by phone")
        self.assertIn("overridden by Carla Credit", self.credit_file.message_ids[0].body)
        self.assertIn("overridden by Carla Credit", order.message_ids[0].body)

    def test_foreign_currency_order_counts_in_company_currency(self):
        self.company.ledger_credit_enforcement = "block"
        currency = self.currency_data["currency"]
        self.env["res.currency.rate"].create({"name": fields.Date.context_today(self.env.user), "rate": 4.0,
                                              "currency_id": currency.id, "company_id": self.company.id})
        pricelist = self.env["product.pricelist"].create({
            "name": "Gold", "currency_id": currency.id, "company_id": self.company.id})
        order = self.quotation(1000, pricelist_id=pricelist.id)
        self.assertEqual((order.currency_id, order.amount_total), (currency, 1000))
        with self.assertRaisesRegex(UserError, r"to \$\s1,050.00, \$\s50.00 over"):
            order.action_confirm()
        order.order_line.price_unit = 800  # 200 in the company's currency: 1,000 exactly
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_an_override_of_another_companys_quotation_is_not_shown_outside_it(self):
        manager = new_test_user(self.env, login="sale_both_manager", groups="customer_ledger.group_credit_manager,"
                                "sales_team.group_sale_salesman_all_leads", company_id=self.company.id,
                                company_ids=[Command.set((self.company | self.company_2).ids)])
        order = self.env["sale.order"].with_company(self.company_2).create({
            "partner_id": self.customer.id, "company_id": self.company_2.id,
            "order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 10,
                                           "tax_id": [Command.clear()]})]})
        Wizards = self.env["customer.ledger.credit.override.wizard"].with_user(manager)
        wizard = Wizards.with_context(allowed_company_ids=[self.company_2.id, self.company.id]).create(
            {"order_ids": [Command.set(order.ids)], "reason": "x"})
        self.assertEqual(wizard.order_ids, order)
        with self.assertRaises(AccessError):
            Wizards.with_context(allowed_company_ids=self.company.ids).browse(wizard.id).read(["order_ids"])
