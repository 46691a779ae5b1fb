# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import BaseCase, tagged

from ..lib.numbers import MAX_AMOUNT, check_number


@tagged("post_install", "-at_install")
class TestNumbersRule(BaseCase):
    """lib.numbers: what a float field of the addon may take, without a database."""

    def test_numbers_within_the_bound_pass_as_floats(self):
        for value, expected in ((0, 0.0), (1500, 1500.0), (-12.5, -12.5), ("4000", 4000.0), (" 12.50 ", 12.5),
                                ("-.5", -0.5), ("1e3", 1000.0), (None, 0.0), (False, 0.0), ("", 0.0),
                                (MAX_AMOUNT - 1, MAX_AMOUNT - 1)):
            self.assertEqual(check_number(value), (expected, None), value)

    def test_refusals_say_why(self):
        cases = {
            "not_finite": (float("nan"), float("inf"), float("-inf"), "NaN", "nan", "Infinity", "-inf"),
            "too_big": (1e300, -1e300, 1e16, MAX_AMOUNT, -MAX_AMOUNT, 10 ** 30, 10 ** 400, "1e300", "1e400",
                        "-1e16"),
            "not_a_number": (True, "abc", "1_000", "\u0661\u0662", "12,5", "0x10", [1], {"a": 1}, b"12",
                             "1\x00"),
        }
        for problem, values in cases.items():
            for value in values:
                self.assertEqual(check_number(value), (None, problem), repr(value))

    def test_the_bound_is_the_callers(self):
        self.assertEqual(check_number(150, bound=100), (None, "too_big"))
        self.assertEqual(check_number(99.5, bound=100), (99.5, None))
