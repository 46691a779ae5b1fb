# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import BaseCase, tagged

from ..lib.matching import OpenItem, exact_matches, normalize_text, reference_in_text


@tagged("post_install", "-at_install")
class TestLedgerExactMatching(BaseCase):
    def test_reference_is_a_whole_token(self):
        self.assertTrue(reference_in_text("INV/2026/00012", "Payment inv/2026/00012 thanks"))
        self.assertTrue(reference_in_text("INV/2026/00012", "INV/2026/00012"))
        self.assertTrue(reference_in_text("INV/2026/00012", "(INV/2026/00012)"))
        self.assertFalse(reference_in_text("INV/2026/0001", "INV/2026/00012"))
        self.assertFalse(reference_in_text("INV/2026/00012", "XINV/2026/00012"))
        # the second occurrence stands alone
        self.assertTrue(reference_in_text("RF18", "RF185 and RF18"))

    def test_short_or_empty_references_never_match(self):
        self.assertFalse(reference_in_text("", "anything"))
        self.assertFalse(reference_in_text("12", "12"))

    def test_normalize_text(self):
        self.assertEqual(normalize_text("  inv \n 2026\t1 "), "INV 2026 1")
        self.assertEqual(normalize_text(None), "")

    def test_exact_matches_needs_reference_amount_and_partner(self):
        items = [
            OpenItem(1, 10, 100000, ("INV/2026/00001", "RF18539007547034")),
            OpenItem(2, 11, 100000, ("INV/2026/00002", False)),
            OpenItem(3, 10, 50000, ("INV/2026/00003", None)),
        ]
        self.assertEqual([m.item_id for m in exact_matches("pay INV/2026/00001", 100000, None, items)], [1])
        self.assertEqual([m.item_id for m in exact_matches("RF18539007547034", 100000, 10, items)], [1])
        # the payer is another partner
        self.assertEqual(exact_matches("INV/2026/00001", 100000, 11, items), [])
        # the amount differs
        self.assertEqual(exact_matches("INV/2026/00003", 100000, None, items), [])
        # two references of the same amount: both reported, the caller decides
        both = exact_matches("INV/2026/00001 INV/2026/00002", 100000, None, items)
        self.assertEqual(sorted(m.item_id for m in both), [1, 2])
        self.assertIn("INV/2026/00001", both[0].reason)
