# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import LedgerCreditCommon

TODAY = date(2026, 11, 25)


@tagged("post_install", "-at_install")
class TestTiers(LedgerCreditCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.company.ledger_tier_method = "pareto"
        Tier = cls.env["customer.ledger.tier"]
        cls.tier_a, cls.tier_b, cls.tier_c = Tier.create([
            {"code": "A", "name": "Key", "sequence": 10, "revenue_share": 80, "revenue_threshold": 400,
             "company_id": cls.company.id},
            {"code": "B", "name": "Regular", "sequence": 20, "revenue_share": 95, "revenue_threshold": 100,
             "company_id": cls.company.id},
            {"code": "C", "name": "Occasional", "sequence": 30, "revenue_share": 100, "revenue_threshold": 0,
             "company_id": cls.company.id},
        ])
        cls.tier_vip = Tier.create({"code": "VIP", "name": "VIP", "sequence": 5, "automatic": False,
                                    "company_id": cls.company.id})
        cls.Profile = cls.env["customer.ledger.profile"]
        cls.internal_user = new_test_user(cls.env, login="tier_internal", groups="base.group_user",
                                          company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)])

    def customer(self, name, **values):
        return self.env["res.partner"].create(dict({"name": name, "is_company": True}, **values))

    def invoice(self, partner, amount, days_ago=10, move_type="out_invoice", company=None):
        company = company or self.company
        self.init_invoice(move_type, partner=partner, amounts=[amount], taxes=[], post=True, company=company,
                          invoice_date=TODAY - timedelta(days=days_ago),
                          journal=self.company_data_2["default_journal_sale"] if company == self.company_2 else None)

    def recompute(self, today=TODAY, reason=None):
        return self.Profile.with_user(self.credit_manager)._ledger_recompute(self.company, today=today,
                                                                             reason=reason)

    def profile(self, partner, company=None):
        return self.Profile.search([("partner_id", "=", partner.id),
                                    ("company_id", "=", (company or self.company).id)])

    def test_pareto_boundaries(self):
        revenues = [500, 300, 100, 60, 40]  # 80/15/5 of 1000: cumulative before 0, 50, 80, 90, 96 %
        customers = [self.customer(f"Pareto {amount}") for amount in revenues]
        for partner, amount in zip(customers, revenues, strict=True):
            self.invoice(partner, amount)
        refunded = self.customer("Refunded")
        self.invoice(refunded, 20, move_type="out_refund")
        prospect = self.customer("Prospect", customer_rank=1)
        self.recompute()
        tiers = [self.profile(partner).tier_id for partner in customers]
        # the third customer starts exactly at 80 %: no longer A
        self.assertEqual(tiers, [self.tier_a, self.tier_a, self.tier_b, self.tier_b, self.tier_c])
        self.assertEqual(self.profile(refunded).tier_id, self.tier_c)
        self.assertEqual(self.profile(refunded).revenue, -20)
        self.assertEqual(self.profile(prospect).tier_id, self.tier_c)
        self.assertEqual(self.profile(prospect).lifecycle, "potential")
        self.assertEqual(self.profile(customers[0]).invoice_count, 1)

    def test_revenue_window_and_credit_notes(self):
        partner = self.customer("Windowed")
        self.invoice(partner, 1000, days_ago=400)  # outside the 12 months
        self.invoice(partner, 300, days_ago=30)
        self.invoice(partner, 50, days_ago=20, move_type="out_refund")
        self.recompute()
        profile = self.profile(partner)
        self.assertEqual(profile.revenue, 250)
        self.assertEqual(profile.invoice_count, 1)
        self.assertEqual(profile.first_invoice_date, TODAY - timedelta(days=400))
        self.assertEqual(profile.last_invoice_date, TODAY - timedelta(days=30))

    def test_threshold_boundaries(self):
        self.company.ledger_tier_method = "threshold"
        at, under, small = self.customer("At 400"), self.customer("Under 400"), self.customer("Small")
        self.invoice(at, 400)
        self.invoice(under, 399.99)
        self.invoice(small, 99.99)
        self.recompute()
        self.assertEqual(self.profile(at).tier_id, self.tier_a)
        self.assertEqual(self.profile(under).tier_id, self.tier_b)
        self.assertEqual(self.profile(small).tier_id, self.tier_c)

    def test_a_locked_tier_is_kept_and_manual_changes_are_logged(self):
        partner, other = self.customer("Friend of the Boss"), self.customer("Other")
        self.invoice(partner, 10)
        self.invoice(other, 1000)
        self.recompute()
        self.assertEqual(self.profile(partner).tier_id, self.tier_c)
        wizard = self.env["customer.ledger.tier.change.wizard"].with_user(self.credit_manager).create({
            "profile_id": self.profile(partner).id, "tier_id": self.tier_vip.id, "reason": "Strategic account"})
        wizard.action_apply()
        profile = self.profile(partner)
        self.assertEqual((profile.tier_id, profile.tier_locked), (self.tier_vip, True))
        self.recompute()
        self.assertEqual(self.profile(partner).tier_id, self.tier_vip, "recomputation keeps a locked tier")
        history = self.env["customer.ledger.tier.history"].search([("partner_id", "=", partner.id)])
        self.assertEqual(history.mapped("mode"), ["manual", "automatic"])
        manual = history.filtered(lambda h: h.mode == "manual")
        self.assertEqual((manual.old_tier_id, manual.new_tier_id, manual.create_uid, manual.reason),
                         (self.tier_c, self.tier_vip, self.credit_manager, "Strategic account"))
        notes = partner.message_ids.filtered(lambda m: "Tier in" in (m.body or ""))
        self.assertEqual(len(notes), 2)
        self.assertIn("Strategic account", notes[0].body)
        self.assertIn("C", notes[1].body)
        # unlocked, the next recomputation moves it back by its revenue
        profile.with_user(self.credit_manager).tier_locked = False
        self.recompute()
        self.assertEqual(self.profile(partner).tier_id, self.tier_c)

    def test_manual_method_keeps_tiers_but_updates_lifecycle(self):
        partner = self.customer("Manual")
        self.invoice(partner, 500)
        self.recompute()
        self.company.ledger_tier_method = "manual"
        self.tier_b.revenue_threshold = 1000  # thresholds out of order play no part in the manual rule
        newcomer = self.customer("Small new one")
        self.invoice(newcomer, 500, days_ago=0)
        self.recompute(today=TODAY + timedelta(days=200))
        profile = self.profile(partner)
        self.assertEqual(profile.tier_id, self.tier_a)
        self.assertEqual(profile.lifecycle, "dormant")
        newcomer_profile = self.profile(newcomer)
        self.assertEqual((len(newcomer_profile), newcomer_profile.tier_id.id), (1, False), "one profile, no tier")

    def test_lifecycle_transitions(self):
        fresh, steady, veteran = self.customer("Fresh"), self.customer("Steady"), self.customer("Veteran")
        self.invoice(fresh, 100, days_ago=30)
        self.invoice(steady, 100, days_ago=400)
        self.invoice(steady, 100, days_ago=10)
        self.invoice(veteran, 100, days_ago=800)
        self.invoice(veteran, 100, days_ago=5)
        prospect = self.customer("Prospect", customer_rank=1)
        self.recompute()
        self.assertEqual([self.profile(p).lifecycle for p in (prospect, fresh, steady, veteran)],
                         ["potential", "new", "active", "long_term"])
        seen = []
        for later in (100, 200, 400):  # Fresh buys nothing more: its last invoice ages
            self.recompute(today=TODAY + timedelta(days=later))
            seen.append(self.profile(fresh).lifecycle)
        self.assertEqual(seen, ["active", "dormant", "lost"])
        # a new invoice brings it back
        self.invoice(fresh, 100, days_ago=-399)
        self.recompute(today=TODAY + timedelta(days=400))
        self.assertEqual(self.profile(fresh).lifecycle, "active")

    def test_preview_changes_nothing_until_applied(self):
        first, second = self.customer("One"), self.customer("Two")
        self.invoice(first, 960)
        self.invoice(second, 40)
        wizard = self.env["customer.ledger.tier.recompute.wizard"].with_user(self.credit_manager).create(
            {"company_id": self.company.id, "reason": "Year-end"})
        wizard.action_preview()
        summaries = dict(wizard.line_ids.mapped(lambda line: (line.new_tier_id.code, line.count)))
        self.assertEqual(summaries["A"], 1)
        self.assertGreaterEqual(summaries["C"], 1)
        self.assertIn("1 customers none to A", wizard.line_ids.mapped("summary"))
        self.assertFalse(self.profile(first), "the preview writes nothing")
        wizard.action_apply()
        self.assertEqual(self.profile(first).tier_id, self.tier_a)
        self.assertEqual(self.profile(second).tier_id, self.tier_c)
        history = self.env["customer.ledger.tier.history"].search([("partner_id", "=", first.id)])
        self.assertEqual((history.mode, history.reason, history.create_uid),
                         ("automatic", "Year-end", self.credit_manager))
        # nothing moved since: a second preview shows no move for these customers
        wizard = self.env["customer.ledger.tier.recompute.wizard"].with_user(self.credit_manager).create({})
        wizard.action_preview()
        self.assertEqual(wizard.change_count, 0)
        with self.assertRaises(UserError):
            self.env["customer.ledger.tier.recompute.wizard"].with_user(self.credit_manager).create({}).action_apply()

    def test_companies_are_computed_apart(self):
        partner = self.customer("Two Companies")
        self.invoice(partner, 100)
        self.invoice(partner, 5000, company=self.company_2)
        self.recompute()
        self.assertEqual(self.profile(partner).revenue, 100)
        self.assertFalse(self.profile(partner, self.company_2))
        # a user of the first company does not see the second's profiles
        self.Profile.sudo()._ledger_recompute(self.company_2, today=TODAY)
        self.assertEqual(self.profile(partner, self.company_2).revenue, 5000)
        visible = self.Profile.with_user(self.ledger_user).search([("partner_id", "=", partner.id)])
        self.assertEqual(visible.company_id, self.company)
        self.assertEqual(partner.with_user(self.ledger_user).ledger_revenue, 100)

    def test_access_rights(self):
        partner = self.customer("Guarded")
        self.invoice(partner, 100)
        self.recompute()
        profile = self.profile(partner)
        # Ledger Users read tiers and profiles, change nothing, recompute nothing
        self.assertEqual(profile.with_user(self.ledger_user).tier_id, self.tier_a)
        self.assertEqual(partner.with_user(self.ledger_user).ledger_tier_id, self.tier_a)
        with self.assertRaises(AccessError):
            profile.with_user(self.ledger_user).tier_id = self.tier_b
        with self.assertRaises(AccessError):
            self.tier_a.with_user(self.ledger_user).credit_limit = 1
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.ledger_user)._ledger_recompute(self.company, today=TODAY)
        # Credit Managers change tiers; the robot and plain employees see none of it
        self.tier_a.with_user(self.credit_manager).credit_limit = 5000
        for user in (self.robot, self.internal_user):
            with self.assertRaises(AccessError):
                self.Profile.with_user(user).search([])
            with self.assertRaises(AccessError):
                self.tier_a.with_user(user).read(["code"])
            with self.assertRaises(AccessError):
                self.env["customer.ledger.tier.history"].with_user(user).search([])
        history = self.env["customer.ledger.tier.history"].search([], limit=1)
        for user in (self.credit_manager, self.env.ref("base.user_admin")):
            with self.assertRaisesRegex(UserError, "history is kept"):
                history.with_user(user).unlink()

    def test_tier_codes_and_rules_are_checked(self):
        with self.assertRaises(ValidationError):
            self.env["customer.ledger.tier"].create({"code": "<b>X</b>", "name": "Bad", "company_id": self.company.id})
        with self.assertRaises(ValidationError):
            self.tier_a.revenue_share = 120
        with self.assertRaises(ValidationError):
            self.company.ledger_lifecycle_dormant_days = 400  # after the 365 days that make a customer lost
