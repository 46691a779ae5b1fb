# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import sys
import unicodedata
from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..lib.sync_values import (
    BadValue,
    amount_limit,
    bad_character,
    check_text,
    parse_amount,
    parse_date,
    strings_in,
)


@tagged("post_install", "-at_install")
class TestLedgerSyncValues(BaseCase):
    def assertProblem(self, problem, function, *args):
        with self.assertRaises(BadValue) as caught:
            function(*args)
        self.assertEqual(caught.exception.problem, problem)
        return caught.exception.params

    def test_amounts_are_ascii_decimals(self):
        for text, expected in (("12.30", "12.30"), ("-0.05", "-0.05"), ("007", "7"), ("1.500", "1.5"),
                               ("9999999999999.99", "9999999999999.99")):
            with self.subTest(text):
                self.assertEqual(parse_amount(text, 2), Decimal(expected))
        self.assertEqual(parse_amount(-1234, 2), Decimal(-1234))
        for text in ("1e400", "1E3", "1_000", "١٢٣", "۱۲", "１２", " 12", "12 ", "12\n", "+12", "12.", ".5",
                     "1,50", "12,50", "NaN", "Infinity", "-", "", "0x10", "--1"):
            with self.subTest(text):
                self.assertProblem("format", parse_amount, text, 2)
        for value in (1.5, 1.0, True, None, [1], {"a": 1}, Decimal("1")):
            with self.subTest(value):
                self.assertProblem("type", parse_amount, value, 2)

    def test_amounts_stay_within_the_currency(self):
        self.assertEqual(amount_limit(2), 10**13)
        self.assertEqual(amount_limit(0), 10**13)
        self.assertEqual(amount_limit(3), 10**12)  # 15 digits survive the ORM's float
        for label, value in (("10**30", 10**30), ("-10**13", -(10**13)), ("str 10**13", "10000000000000"),
                             ("str -10**13", "-10000000000000.00"), ("401 digits", "1" + "0" * 400),
                             ("10**5000", 10**5000)):
            with self.subTest(label):
                self.assertEqual(self.assertProblem("range", parse_amount, value, 2), {"limit": 10**13})
        self.assertProblem("range", parse_amount, "1000000000000.000", 3)
        self.assertEqual(self.assertProblem("decimals", parse_amount, "1.005", 2), {"places": 2})
        self.assertProblem("decimals", parse_amount, "1.5", 0)
        self.assertEqual(parse_amount("1.50", 0 + 2), Decimal("1.5"))

    def test_dates_are_iso_days_in_range(self):
        self.assertEqual(parse_date("2026-11-20"), date(2026, 11, 20))
        self.assertEqual(parse_date("1900-01-01"), date(1900, 1, 1))
        self.assertEqual(parse_date("2199-12-31"), date(2199, 12, 31))
        for value in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
            with self.subTest(value):
                self.assertEqual(self.assertProblem("range", parse_date, value),
                                 {"first": "1900-01-01", "last": "2199-12-31"})
        self.assertProblem("no_such_day", parse_date, "2026-02-30")
        for value in ("20.11.2026", "2026-11-20\n", "２０２６-11-20", "٢٠٢٦-١١-٢٠", "2026-11-20T00:00", "20261120"):
            with self.subTest(value):
                self.assertProblem("format", parse_date, value)
        for value in (None, 20261120, ["2026-11-20"]):
            with self.subTest(value):
                self.assertProblem("type", parse_date, value)

    def test_text_holds_no_control_character(self):
        self.assertIsNone(bad_character("Zahlung für Rechnung INV/2026/0012 — 谢谢 🙂"))
        for text, position in (("a\x00b", 1), ("\x07", 0), ("ab\x7f", 2), ("x\x85", 1), ("\ud800", 0),
                               ("line\nbreak", 4), ("tab\there", 3), ("cr\r", 2)):
            with self.subTest(text):
                self.assertEqual(bad_character(text), position)
        self.assertIsNone(bad_character("line\nbreak\tand tab", allowed="\n\t"))
        refused = {code for code in range(sys.maxunicode + 1) if bad_character(chr(code)) is not None}
        self.assertEqual(refused, {code for code in range(sys.maxunicode + 1)
                                   if unicodedata.category(chr(code)) in ("Cc", "Cs")})
        self.assertEqual(bad_character("a\n\x00", allowed="\n\t"), 2)
        self.assertEqual(check_text("fine", 4), "fine")
        self.assertEqual(self.assertProblem("character", check_text, "a\x00", 10), {"position": 1, "char": "U+0000"})
        self.assertEqual(self.assertProblem("length", check_text, "abcde", 4), {"max": 4})
        self.assertProblem("type", check_text, 5, 4)

    def test_strings_in_a_json_value(self):
        value = {"a": ["b", {"c\x00": 1, "d": [None, True, 2.5, "e"]}]}
        self.assertEqual(sorted(strings_in(value)), ["a", "b", "c\x00", "d", "e"])
        deep = "bottom"
        for _level in range(5000):  # deeper than Python's recursion limit
            deep = [deep]
        self.assertEqual(list(strings_in(deep)), ["bottom"])
