# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may do what, written down as data and checked against the live ACLs and rules.

The table says what the product should allow (least privilege). A model an addon adds and
the table lacks fails the suite: a new model needs its line here, so it cannot arrive
without rights or with more than it should have.
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

ADDONS = ("customer_ledger", "customer_ledger_sale")
GROUPS = {
    "ledger_user": "customer_ledger.group_ledger_user",
    "accountant": "customer_ledger.group_reconciliation_accountant",
    "credit_manager": "customer_ledger.group_credit_manager",
    "robot": "customer_ledger.group_ledger_sync_robot",
    "employee": "base.group_user",
    "portal": "base.group_portal",
    "public": "base.group_public",
}
OPERATIONS = {"r": "read", "c": "create", "w": "write", "u": "unlink"}
NONE = "----"

# columns: ledger user, reconciliation accountant, credit manager, sync robot, plain
# employee, portal, public; each "rcwu" with "-" where the right is refused
EXPECTED = {
    # the addons' models
    "customer.ledger.aging": (NONE,) * 7,  # abstract: a computation, no records
    "customer.ledger.aging.report": ("rcwu", "rcwu", "rcwu", NONE, NONE, NONE, NONE),  # own wizard
    "customer.ledger.aging.report.bucket": ("rcwu", "rcwu", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.aging.report.line": ("rcwu", "rcwu", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.counterparty": (NONE, "rcwu", NONE, NONE, NONE, NONE, NONE),
    "customer.ledger.credit.file": ("r---", "r---", "rcw-", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.hold.log": ("r---", "r---", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.hold.wizard": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.review.approve.wizard": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.override.wizard": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.report": ("r---", "r---", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.credit.review": ("r---", "r---", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.profile": ("r---", "r---", "rcw-", NONE, NONE, NONE, NONE),
    "customer.ledger.promise.wizard": (NONE, "rcwu", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.reconcile.wizard": (NONE, "rcwu", NONE, NONE, NONE, NONE, NONE),
    "customer.ledger.reconcile.wizard.line": (NONE, "rcwu", NONE, NONE, NONE, NONE, NONE),
    "customer.ledger.reminder": ("r---", "r-wu", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.reminder.level": ("r---", "r---", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.reminder.line": ("r---", "r---", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.reminder.policy": ("r---", "r---", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.robot.key.show": (NONE,) * 7,  # administrators only
    "customer.ledger.robot.wizard": (NONE,) * 7,  # administrators only
    "customer.ledger.source": ("r---", "r---", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.state.guard": (NONE,) * 7,  # abstract mixin
    "customer.ledger.amount.guard": (NONE,) * 7,  # abstract mixin
    "customer.ledger.company.guard": (NONE,) * 7,  # abstract mixin
    "customer.ledger.statement": ("r---", "rcwu", "r---", NONE, NONE, "r---", NONE),  # portal: rules
    "customer.ledger.statement.aging": ("r---", "r---", "r---", NONE, NONE, "r---", NONE),
    "customer.ledger.statement.line": ("r---", "r-w-", "r---", NONE, NONE, "r---", NONE),
    "customer.ledger.statement.schedule": ("r---", "r---", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.statement.wizard": (NONE, "rcwu", NONE, NONE, NONE, NONE, NONE),
    # abstract, no ACL: the sync API checks its caller itself (the robot's one door)
    "customer.ledger.sync": (NONE,) * 7,
    "customer.ledger.tier": ("r---", "r---", "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.tier.change.wizard": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.tier.history": ("r---", "r---", "r---", NONE, NONE, NONE, NONE),
    "customer.ledger.tier.recompute.line": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    "customer.ledger.tier.recompute.wizard": (NONE, NONE, "rcwu", NONE, NONE, NONE, NONE),
    # core models the addon extends, where who may do what matters to it
    "account.bank.statement.line": (NONE, "rcwu", NONE, NONE, NONE, NONE, NONE),
    "account.journal": (NONE, "r---", NONE, NONE, NONE, NONE, NONE),  # the robot's went with the API's checks
    "account.move": (NONE, "rcwu", NONE, NONE, NONE, "r---", NONE),  # portal: own invoices
    "res.partner": ("r---", "r---", "r---", NONE, "r---", "r---", "r---"),  # core; rules limit
}
CORE_MODELS = ("account.bank.statement.line", "account.journal", "account.move", "res.partner")


@tagged("post_install", "-at_install")
class TestLedgerAccessMatrix(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.other_company = cls.company_data_2["company"]
        common = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.users = {name: new_test_user(cls.env, login=f"matrix_{name}", groups=group, **common)
                     for name, group in GROUPS.items()}
        cls.own = cls.company_records(cls.company_data)
        cls.foreign = cls.company_records(cls.company_data_2)

    @classmethod
    def company_records(cls, company_data):
        """One record of each company-bound model in the company, made as superuser."""
        env = cls.env(su=True)
        company = company_data["company"]
        Env = env(context=dict(env.context, allowed_company_ids=company.ids))
        partner = Env["res.partner"].create({"name": f"Matrix {company.name}", "company_id": company.id})
        invoice = cls.init_invoice("out_invoice", partner=partner, amounts=[100.0], taxes=[], post=True,
                                   company=company)
        credit_file = Env["customer.ledger.credit.file"].create({"partner_id": partner.id, "company_id": company.id})
        policy = Env["customer.ledger.reminder.policy"].create({"name": "Matrix", "company_id": company.id})
        template = env["customer.ledger.reminder.level"].search([], limit=1).mail_template_id
        level = Env["customer.ledger.reminder.level"].create(
            {"policy_id": policy.id, "name": "Matrix", "days": 10, "mail_template_id": template.id})
        reminder = Env["customer.ledger.reminder"].create({"partner_id": partner.id, "company_id": company.id})
        statement = Env["customer.ledger.statement"].create(
            {"partner_id": partner.id, "company_id": company.id, "date_from": "2026-01-01", "date_to": "2026-01-31"})
        frequency = env["customer.ledger.statement.schedule"]._fields["frequency"].get_values(env)[0]
        records = {
            "res.partner": partner,
            "account.move": invoice,
            "account.journal": company_data["default_journal_bank"],
            "account.bank.statement.line": Env["account.bank.statement.line"].create(
                {"journal_id": company_data["default_journal_bank"].id, "date": "2026-01-05", "amount": 1.0,
                 "payment_ref": "matrix"}),
            "customer.ledger.counterparty": Env["customer.ledger.counterparty"].create(
                {"partner_id": partner.id, "company_id": company.id, "name_key": "matrix"}),
            "customer.ledger.credit.file": credit_file,
            "customer.ledger.credit.hold.log": Env["customer.ledger.credit.hold.log"].create(
                {"credit_file_id": credit_file.id, "action": "hold", "reason": "matrix"}),
            "customer.ledger.credit.review": Env["customer.ledger.credit.review"].create(
                {"credit_file_id": credit_file.id}),
            "customer.ledger.profile": Env["customer.ledger.profile"].create(
                {"partner_id": partner.id, "company_id": company.id}),
            "customer.ledger.tier": Env["customer.ledger.tier"].create(
                {"name": "Matrix", "code": "MX", "company_id": company.id}),
            "customer.ledger.tier.history": Env["customer.ledger.tier.history"].create(
                {"partner_id": partner.id, "company_id": company.id, "mode": "manual"}),
            "customer.ledger.reminder.policy": policy,
            "customer.ledger.reminder.level": level,
            "customer.ledger.reminder": reminder,
            "customer.ledger.reminder.line": Env["customer.ledger.reminder.line"].create(
                {"reminder_id": reminder.id, "move_id": invoice.id, "level_id": level.id}),
            "customer.ledger.statement": statement,
            "customer.ledger.statement.line": Env["customer.ledger.statement.line"].create(
                {"statement_id": statement.id}),
            "customer.ledger.statement.aging": Env["customer.ledger.statement.aging"].create(
                {"statement_id": statement.id}),
            "customer.ledger.statement.schedule": Env["customer.ledger.statement.schedule"].create(
                {"company_id": company.id, "frequency": frequency, "date_from": "2026-01-01",
                 "date_to": "2026-01-31"}),
        }
        env.flush_all()
        records["customer.ledger.credit.report"] = env["customer.ledger.credit.report"].search(
            [("company_id", "=", company.id), ("partner_id", "=", partner.id)])
        return records

    def addon_models(self):
        return {name for name, model in self.env.registry.items() if model._original_module in ADDONS}

    def test_every_model_has_its_line(self):
        self.assertEqual(self.addon_models() - set(EXPECTED), set(),
                         "models without a line in the access matrix: give them one")
        self.assertEqual(set(EXPECTED) - self.addon_models() - set(CORE_MODELS), set(),
                         "lines of models that are gone")

    def test_acls_give_what_the_table_says(self):
        probes = 0
        for model, row in EXPECTED.items():
            Model = self.env[model]
            for (group, user), expected in zip(self.users.items(), row, strict=True):
                actual = "".join(
                    letter if Model.with_user(user).check_access_rights(operation, raise_exception=False) else "-"
                    for letter, operation in OPERATIONS.items()
                )
                probes += 4
                with self.subTest(model=model, group=group):
                    self.assertEqual(actual, expected, f"{group} on {model}")
        self.assertEqual(probes, 4 * 7 * len(EXPECTED))

    def test_rules_keep_each_company_apart(self):
        self.assertEqual(set(self.own), set(self.foreign))
        for model in self.own:
            own, foreign = self.own[model], self.foreign[model]
            self.assertTrue(own and foreign, model)
            for (group, user), rights in zip(self.users.items(), EXPECTED[model], strict=True):
                if "r" not in rights or group in ("portal", "public"):
                    continue  # no read at all (the ACL test) or its own rules (portal tests)
                with self.subTest(model=model, group=group):
                    Model = self.env[model].with_user(user)
                    self.assertEqual(Model.search([("id", "in", (own | foreign).ids)]), own)
                    with self.assertRaises(AccessError):
                        foreign.with_user(user).check_access_rule("read")
