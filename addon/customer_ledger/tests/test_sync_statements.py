# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LedgerSyncCommon


@tagged("post_install", "-at_install")
class TestLedgerSyncStatements(LedgerSyncCommon):
    """Statements of a file land in Odoo as bank statements with the file's balances."""

    def statement(self, key):
        return self.env["account.bank.statement"].search([("ledger_import_key", "=", key)])

    def test_statement_with_balances_that_add_up(self):
        result = self.push(
            [self.line("s1-a", "100.00", "in", statement="ST1"), self.line("s1-b", "-30.00", "out", statement="ST1")],
            source={"feed": "mt940", "file": "day1.sta", "batch": "b1"},
            statements={"ST1": {"name": "STARTUMS/1", "date": "2026-11-20",
                                "opening_balance": "1000.00", "closing_balance": "1070.00"}},
        )
        statement = self.statement("ST1")
        self.assertEqual(result["statements"], {"ST1": statement.id})
        self.assertRecordValues(statement, [{
            "name": "STARTUMS/1", "journal_id": self.journal.id, "balance_start": 1000.0,
            "balance_end_real": 1070.0, "balance_end": 1070.0, "is_complete": True,
            "ledger_source_file": "day1.sta",
        }])
        self.assertEqual(statement.line_ids, self.lines_with_key("s1-a", "s1-b"))

    def test_statement_whose_balances_do_not_add_up_is_imported_and_shows_it(self):
        self.push([self.line("gap-a", "50.00", statement="GAP")],
                  statements={"GAP": {"name": "7", "opening_balance": "10.00", "closing_balance": "99.00"}})
        statement = self.statement("GAP")
        self.assertRecordValues(statement, [{"balance_start": 10.0, "balance_end": 60.0,
                                             "balance_end_real": 99.0, "is_complete": False}])

    def test_later_pages_and_batches_join_and_nothing_is_created_twice(self):
        statements = {"ST2": {"name": "5", "opening_balance": "0.00", "closing_balance": "10.00"}}
        self.push([self.line("p1", "4.00", statement="ST2")], statements=statements)
        self.push([self.line("p1", "4.00", statement="ST2"), self.line("p2", "6.00", statement="ST2")],
                  statements=statements)
        self.push([self.line("p2", "6.00", statement="ST2")], statements=statements)  # a re-import
        statement = self.statement("ST2")
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.line_ids, self.lines_with_key("p1", "p2"))
        self.assertRecordValues(statement, [{"balance_start": 0.0, "balance_end": 10.0, "is_complete": True}])

    def test_closing_balance_follows_the_last_page(self):
        self.push([self.line("c1", "4.00", statement="ST3")],
                  statements={"ST3": {"name": "9", "opening_balance": "0", "closing_balance": "4.00"}})
        self.push([self.line("c2", "1.00", statement="ST3")],
                  statements={"ST3": {"name": "9", "opening_balance": "999", "closing_balance": "5.00"}})
        self.assertRecordValues(self.statement("ST3"), [{"balance_start": 0.0, "balance_end_real": 5.0,
                                                         "is_complete": True}])

    def test_lines_already_held_stay_in_their_statement(self):
        self.push([self.line("o1", "3.00", statement="A")], statements={"A": {"name": "A"}})
        self.push([self.line("o1", "3.00", statement="B"), self.line("o2", "2.00", statement="B")],
                  statements={"B": {"name": "B"}})
        self.assertEqual(self.statement("A").line_ids, self.lines_with_key("o1"))
        self.assertEqual(self.statement("B").line_ids, self.lines_with_key("o2"))

    def test_no_statement_without_new_lines(self):
        self.push([self.line("n1", "3.00")])
        result = self.push([self.line("n1", "3.00", statement="EMPTY")], statements={"EMPTY": {"name": "E"}})
        self.assertEqual(result["statements"], {})
        self.assertFalse(self.statement("EMPTY"))

    def test_lines_without_statement_stand_alone(self):
        self.push([self.line("alone", "1.00")], statements={})
        self.assertFalse(self.lines_with_key("alone").statement_id)

    def test_bad_statements_are_refused_whole(self):
        good = [self.line("bad-1", "1.00", statement="S")]
        cases = [
            ([1], "statements must be a dict"),
            ({"S": "x"}, "must be a dict"),
            ({"S": {}}, "name is missing"),
            ({"S": {"name": "x", "colour": "red"}}, "unknown field"),
            ({"S": {"name": "x\x01"}}, "control character"),
            ({"S": {"name": "x", "opening_balance": 1.5}}, "decimal string"),
            ({"S": {"name": "x", "closing_balance": "1.234"}}, "more decimals"),
            ({"S": {"name": "x", "date": "2026-02-30"}}, "does not exist"),
            ({"": {"name": "x"}}, "key must be"),
            ({"OTHER": {"name": "x"}}, "not among the statements sent"),
        ]
        for statements, message in cases:
            with self.subTest(statements=statements), self.assertRaisesRegex(ValidationError, message):
                self.push(good, statements=statements)
        self.assertFalse(self.lines_with_key("bad-1"))

    def test_a_statement_key_of_another_journal_is_refused(self):
        self.push([self.line("j1", "1.00", statement="J")], statements={"J": {"name": "J"}})
        other = self.env["account.journal"].create({"name": "Bank 2", "code": "BNK9", "type": "bank",
                                                    "company_id": self.journal.company_id.id})
        with self.assertRaisesRegex(ValidationError, "belongs to journal"):
            self.push([dict(self.line("j2", "1.00", statement="J"))], journal={"code": other.code},
                      statements={"J": {"name": "J"}})

    def test_api_info_names_the_feature(self):
        self.assertIn("statements", self.Sync.with_user(self.robot).api_info()["features"])
