# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_IBAN, LedgerSyncCommon

ADDONS = ("customer_ledger", "customer_ledger_sale")
# what an employee could read and the robot must not: people, bank accounts, users, the books
CORE_MODELS = (
    "res.partner", "res.partner.bank", "res.users", "account.account", "account.tax", "product.product",
    "ir.attachment", "discuss.channel", "account.journal", "account.move", "account.bank.statement.line",
)
ACCESS_ERROR = "odoo.exceptions.AccessError"


@tagged("post_install", "-at_install")
class TestLedgerRobotOverRpc(LedgerSyncCommon, HttpCase):
    """The robot the wizard makes, logged in with its API key over ``/jsonrpc`` as syncd is:
    the sync API answers, everything else is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wizard = cls.env["customer.ledger.robot.wizard"].create(
            {"login": "syncd-rpc", "company_ids": [(6, 0, cls.journal.company_id.ids)]})
        cls.robot_key = wizard.action_generate()["context"]["default_key"]
        cls.rpc_robot = wizard.user_id

    def jsonrpc(self, service, method, *args):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1,
                "params": {"service": service, "method": method, "args": list(args)}}
        reply = self.url_open("/jsonrpc", data=json.dumps(body), headers={"Content-Type": "application/json"}).json()
        if "error" in reply:
            return None, reply["error"]["data"]["name"]
        return reply["result"], None

    def log_in(self):
        """``common.authenticate`` with the API key, as syncd logs in."""
        self.robot_uid, error = self.jsonrpc("common", "authenticate", self.env.cr.dbname, "syncd-rpc",
                                             self.robot_key, {})
        self.assertEqual((self.robot_uid, error), (self.rpc_robot.id, None))

    def as_robot(self, model, method, *args):
        return self.jsonrpc("object", "execute_kw", self.env.cr.dbname, self.robot_uid, self.robot_key,
                            model, method, list(args))

    def addon_models(self):
        """Every model with a table the addons add, found in the registry (so a new one is in)."""
        return sorted(name for name, model in self.env.registry.items()
                      if model._original_module in ADDONS and not model._abstract)

    def test_robot_reads_and_writes_nothing_but_the_api(self):
        self.log_in()
        models = CORE_MODELS + tuple(self.addon_models())
        self.assertIn("customer.ledger.robot.wizard", models)
        probes = 0
        for model in models:
            record_id = self.env[model].sudo().search([], limit=1).id or 1
            # a value to write: some models answer an empty write without checking anything
            name_field = self.env[model]._fields.get(self.env[model]._rec_name)
            values = {name_field.name: "x"} if name_field and name_field.store else {}
            for method, args in (
                ("read", ([record_id], ["display_name"])),
                ("search", ([],)),
                ("create", ({},)),
                ("write", ([record_id], values)),
            ):
                with self.subTest(model=model, method=method):
                    result, error = self.as_robot(model, method, *args)
                    self.assertEqual(error, ACCESS_ERROR, f"robot {method} {model}: {result!r}")
                probes += 1
        self.assertGreater(probes, 4 * len(CORE_MODELS))

    def test_robot_pushes_and_reconciles_over_rpc(self):
        self.log_in()
        Sync = "customer.ledger.sync"
        info, error = self.as_robot(Sync, "api_info")
        self.assertIsNone(error)
        self.assertEqual((info["login"], info["dedicated_robot"]), ("syncd-rpc", True))
        journal = {"code": self.journal.code}
        # as syncd sends them: with tracking, so chatter and followers are written as the robot
        line = self.line("rpc-1", "1000.00", f"Payment {self.invoice.name}", account_number=CUSTOMER_IBAN)
        pushed, error = self.as_robot(Sync, "push_statement_lines", "1.0", journal, [line])
        self.assertIsNone(error)
        line_id = pushed["lines"]["rpc-1"]["id"]
        found, error = self.as_robot(Sync, "lookup_keys", "1.0", journal, ["rpc-1", "rpc-2"])
        self.assertEqual((found, error), ({"rpc-1": line_id, "rpc-2": False}, None))
        outcome, error = self.as_robot(Sync, "reconcile_statement_lines", "1.0", [line_id])
        self.assertIsNone(error)
        self.assertEqual(outcome[str(line_id)]["state"], "reconciled")
        statement_line = self.env["account.bank.statement.line"].browse(line_id)
        self.assertEqual(statement_line.partner_id, self.customer)
        self.assertTrue(statement_line.is_reconciled)
        self.assertEqual(self.invoice.payment_state, "paid")
        # written as the robot, which follows nothing it cannot read
        self.assertEqual(statement_line.move_id.message_ids.author_id, self.rpc_robot.partner_id)
        self.assertNotIn(self.rpc_robot.partner_id, statement_line.move_id.message_partner_ids)
        # the robot's own records stay unreadable to it
        _result, error = self.as_robot("account.bank.statement.line", "read", [line_id], ["amount"])
        self.assertEqual(error, ACCESS_ERROR)
