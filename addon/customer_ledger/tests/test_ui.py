# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, http
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLedgerUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read the addons' manifests once, here: the browser's first page load asks for many
        # static files at once, and threads parsing manifests together can trip CPython 3.11's
        # "AST constructor recursion depth mismatch" (a failed request, a failed tour).
        assert http.root.statics  # a lazy property, computed on first access

    def test_bank_transaction_shows_its_source(self):
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )
        currency = journal.currency_id or journal.company_id.currency_id
        admin = self.env.ref("base.user_admin")
        self.env["customer.ledger.sync"].with_user(admin).push_statement_lines(
            "1.0",
            {"code": journal.code},
            [{"key": "tour:key:1", "date": "2026-11-20", "amount": "42.00", "currency": currency.name,
              "payment_ref": "Tour payment CL-TOUR-1", "raw": {"remittance": "Tour payment CL-TOUR-1"}}],
            {"feed": "camt053", "file": "tour_statement.xml", "batch": "tour"},
        )
        self.start_tour(
            "/web#action=customer_ledger.account_bank_statement_line_action",
            "customer_ledger_bank_transaction_tour",
            login="admin",
        )

    def test_bank_statements_show_whether_they_add_up(self):
        # a journal of its own: a statement is also shown red when its opening balance is not
        # the previous statement's closing one
        journal = self.env["account.journal"].create({"name": "Tour Bank", "code": "TOURB", "type": "bank"})
        currency = (journal.currency_id or journal.company_id.currency_id).name
        sync = self.env["customer.ledger.sync"].with_user(self.env.ref("base.user_admin"))
        for key, amount, opening, closing, name, file in (
            ("tour:st:1", "164.80", "6000.00", "6164.80", "TOUR-OK", "tour_ok.sta"),
            ("tour:st:2", "480.00", "6164.80", "6700.00", "TOUR-GAP", "tour_gap.sta"),
        ):
            sync.push_statement_lines(
                "1.1", {"code": journal.code},
                [{"key": key, "date": "2026-11-20", "amount": amount, "currency": currency,
                  "payment_ref": "Tour statement line", "statement": name}],
                {"feed": "mt940", "file": file, "batch": "tour"},
                {name: {"name": name, "opening_balance": opening, "closing_balance": closing}},
            )
        self.start_tour("/web#action=customer_ledger.account_bank_statement_action",
                        "customer_ledger_bank_statement_tour", login="admin")

    def test_reconcile_by_hand(self):
        customer = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        self.env["res.partner.bank"].create({"acc_number": "DE12500105170648489890", "partner_id": customer.id})
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id, "invoice_date": "2026-11-01",
            "invoice_line_ids": [(0, 0, {"name": "Tour goods", "quantity": 1, "price_unit": 87.0,
                                         "tax_ids": [(6, 0, [])]})],
        })
        invoice.action_post()
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1)
        currency = journal.currency_id or journal.company_id.currency_id
        self.env["customer.ledger.sync"].with_user(self.env.ref("base.user_admin")).push_statement_lines(
            "1.0", {"code": journal.code},
            [{"key": "tour:manual", "date": "2026-11-20", "amount": "87.00", "currency": currency.name,
              "payment_ref": "Tour manual payment", "account_number": "DE12500105170648489890"}],
        )
        self.start_tour(
            "/web#action=customer_ledger.account_bank_statement_line_action",
            "customer_ledger_manual_reconcile_tour",
            login="admin",
        )
        line = self.env["account.bank.statement.line"].search([("ledger_import_key", "=", "tour:manual")])
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.ledger_reconciled_how, "manual")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(self.env["customer.ledger.counterparty"].search([("partner_id", "=", customer.id)]))

    def test_robot_wizard(self):
        self.start_tour(
            "/web#action=customer_ledger.customer_ledger_robot_wizard_action",
            "customer_ledger_robot_wizard_tour",
            login="admin",
        )
        robot = self.env["res.users"].search([("login", "=", "syncd-tour")])
        self.assertTrue(robot.has_group("customer_ledger.group_ledger_sync_robot"))
        self.assertEqual(len(robot.api_key_ids), 1)

    def test_tier_recompute_wizard(self):
        customer = self.env["res.partner"].create({"name": "Tour Tier Customer", "is_company": True})
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_date": fields.Date.context_today(customer),
            "invoice_line_ids": [(0, 0, {"name": "Tour goods", "quantity": 1, "price_unit": 10000000.0,
                                         "tax_ids": [(6, 0, [])]})],
        })
        invoice.action_post()
        self.start_tour(
            "/web#action=customer_ledger.customer_ledger_tier_recompute_wizard_action",
            "customer_ledger_tier_recompute_tour",
            login="admin",
        )
        profile = self.env["customer.ledger.profile"].search([("partner_id", "=", customer.id)])
        self.assertEqual(profile.tier_id, self.env.ref("customer_ledger.tier_a"))
        history = self.env["customer.ledger.tier.history"].search([("partner_id", "=", customer.id)])
        self.assertEqual((history.reason, history.create_uid), ("Tour recompute", self.env.ref("base.user_admin")))

    def test_credit_review(self):
        customer = self.env["res.partner"].create({"name": "Tour Review Customer", "is_company": True})
        company = self.env.ref("base.main_company")
        credit_file = self.env["customer.ledger.credit.file"].create({
            "partner_id": customer.id, "company_id": company.id, "credit_limit": 10000})
        self.start_tour(
            f"/web#id={credit_file.id}&model=customer.ledger.credit.file&view_type=form",
            "customer_ledger_credit_review_tour",
            login="admin",
        )
        self.env.invalidate_all()
        review = credit_file.review_ids
        self.assertEqual(len(review), 1)
        self.assertEqual((review.state, review.current_limit, review.approved_limit), ("approved", 10000, 25000))
        self.assertEqual(review.rationale, "Tour: larger orders for the new season")
        self.assertEqual(credit_file.credit_limit, 25000)
        self.assertEqual(customer.with_company(company).credit_limit, 25000)
        self.assertEqual(review.decided_by, self.env.ref("base.user_admin"))

    def test_credit_override(self):
        company = self.env.ref("base.main_company")
        company.ledger_credit_enforcement = "block"
        customer = self.env["res.partner"].create({"name": "Tour Credit Customer", "is_company": True})
        self.env["customer.ledger.credit.file"].create({
            "partner_id": customer.id, "company_id": company.id, "credit_limit": 100})
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id, "invoice_date": "2026-11-20",
            "invoice_line_ids": [(0, 0, {"name": "Tour goods", "quantity": 1, "price_unit": 500.0,
                                         "tax_ids": [(6, 0, [])]})],
        })
        self.start_tour(f"/web#id={invoice.id}&model=account.move&view_type=form",
                        "customer_ledger_credit_override_tour", login="admin")
        self.assertEqual(invoice.state, "posted")
        log = self.env["customer.ledger.credit.hold.log"].search([("move_id", "=", invoice.id)])
        self.assertEqual((log.action, log.reason, log.create_uid),
                         ("override", "Tour: prepaid by wire", self.env.ref("base.user_admin")))
