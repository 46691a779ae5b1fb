# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import BaseCase, tagged

from ..lib.matching import (
    BankLine,
    OpenItem,
    Settings,
    compact,
    decide,
    number_key,
    propose,
    reference_in_text,
    subsets_summing_to,
    text_keys,
)

DAY = date(2026, 11, 20)
SETTINGS = Settings(tolerance=500, can_write_off=True)


def item(item_id, partner, residual, *references, name="", when=date(2026, 11, 1)):
    return OpenItem(item_id, partner, residual, when, tuple(references), name)


def line(amount, text="", structured="", partner=0, source="", name=""):
    return BankLine(1, amount, DAY, text, structured, partner, source, name)


@tagged("post_install", "-at_install")
class TestLedgerMatchingReferences(BaseCase):
    def test_reference_forms(self):
        self.assertEqual(compact("inv/2026-0012"), "INV20260012")
        self.assertEqual(number_key("INV/2026/00012"), "2026-12")
        self.assertEqual(number_key("INV-12"), "")  # too short to tell invoices apart
        for text in ("Payment INV/2026/00012 thanks", "inv 2026-12", "INV202600012", "re: Inv. 2026/012"):
            with self.subTest(text):
                self.assertTrue(reference_in_text("INV/2026/00012", text))
        for text in ("INV/2026/000123", "INV/2025/00012", "XINV202600012", ""):
            with self.subTest(text):
                self.assertFalse(reference_in_text("INV/2026/00012", text))

    def test_text_keys_hold_compact_and_number_forms(self):
        keys = text_keys("Rechnung INV 2026-12 und RF18 5390 0754 7034")
        self.assertIn("INV202612", keys)
        self.assertIn("2026-12", keys)
        self.assertIn("RF18539007547034", keys)


@tagged("post_install", "-at_install")
class TestLedgerMatchingProposals(BaseCase):
    def best(self, bank_line, items, settings=SETTINGS):
        proposals = propose(bank_line, items, settings)
        return proposals[0] if proposals else None, decide(proposals, settings)

    def test_structured_reference(self):
        best, decision = self.best(line(10000, structured="RF18 5390 0754 7034"),
                                   [item(1, 7, 10000, "INV/2026/00001", "RF18539007547034"),
                                    item(2, 7, 10000, "INV/2026/00002")])
        self.assertEqual(best.item_ids, (1,))
        self.assertTrue(decision.automatic)
        self.assertIn("structured reference", best.explanation)

    def test_swiss_qr_reference(self):
        qrr = "21 00000 00003 13947 14300 09017"
        best, decision = self.best(line(25000, "", structured=qrr),
                                   [item(1, 7, 25000, "INV/2026/00001", "210000000003139471430009017"),
                                    item(2, 8, 25000, "INV/2026/00002", "210000000003139471430009025")])
        self.assertEqual(best.item_ids, (1,))
        self.assertTrue(decision.automatic)

    def test_invoice_number_in_free_text(self):
        best, decision = self.best(line(10000, "pay inv 2026-12 thx"),
                                   [item(1, 7, 10000, "INV/2026/00012"), item(2, 8, 10000, "INV/2026/00013")])
        self.assertEqual(best.item_ids, (1,))
        self.assertEqual(best.shape, "exact")
        self.assertTrue(decision.automatic)

    def test_typo_is_only_a_suggestion(self):
        best, decision = self.best(line(10000, "INV/2026/00l12"), [item(1, 7, 10000, "INV/2026/00112")])
        self.assertEqual(best.item_ids, (1,))
        self.assertFalse(decision.automatic)

    def test_partner_by_account_and_unique_amount(self):
        items = [item(1, 7, 10000, "INV/2026/00001"), item(2, 7, 25000, "INV/2026/00002"),
                 item(3, 8, 10000, "INV/2026/00003")]
        best, decision = self.best(line(10000, "thanks", partner=7, source="account"), items)
        self.assertEqual(best.item_ids, (1,))
        self.assertTrue(decision.automatic)
        # several open items of that amount: the payer pays the oldest first
        items.append(item(4, 7, 10000, "INV/2026/00004", when=date(2026, 10, 1)))
        best, decision = self.best(line(10000, "thanks", partner=7, source="account"), items)
        self.assertEqual(best.item_ids, (4,))
        self.assertIn("oldest", best.explanation)
        self.assertTrue(best.fifo)
        self.assertFalse(decision.automatic)  # a good guess, not evidence
        # from an unknown payer, an amount alone decides nothing
        best, decision = self.best(line(10000, "thanks"), items)
        self.assertFalse(decision.automatic)

    def test_partner_by_name_suggests(self):
        best, decision = self.best(line(10000, "", name="LOTUS TRADING GMBH HAMBURG"),
                                   [item(1, 7, 10000, "INV/2026/00001", name="Lotus Trading GmbH"),
                                    item(2, 8, 10000, "INV/2026/00002", name="Azure Interior")])
        self.assertEqual(best.item_ids, (1,))
        self.assertIn("payer name", best.explanation)

    def test_another_partners_account_contradicts_the_reference(self):
        best, decision = self.best(line(10000, "INV/2026/00001", partner=8, source="account"),
                                   [item(1, 7, 10000, "INV/2026/00001")])
        self.assertFalse(decision.automatic)
        self.assertIn("another partner", best.explanation)

    def test_shapes(self):
        invoice = item(1, 7, 10000, "INV/2026/00001")
        cases = {
            10000: ("exact", True),
            9700: ("writeoff", True),  # short by 3.00, tolerance 5.00
            6000: ("partial", False),
            12000: ("overpayment", False),
        }
        for amount, (shape, automatic) in cases.items():
            with self.subTest(amount):
                best, decision = self.best(line(amount, "INV/2026/00001"), [invoice])
                self.assertEqual(best.shape, shape)
                self.assertEqual(best.difference, amount - 10000)
                self.assertEqual(decision.automatic, automatic)
        # with the payer known, partial payments and overpayments are sure enough
        best, decision = self.best(line(6000, "INV/2026/00001", partner=7, source="account"), [invoice])
        self.assertEqual((best.shape, decision.automatic), ("partial", True))
        # without a write-off account a short payment is a partial one
        best, _decision = self.best(line(9700, "INV/2026/00001"), [invoice], Settings(tolerance=500))
        self.assertEqual(best.shape, "partial")

    def test_several_invoices_named(self):
        items = [item(1, 7, 10000, "INV/2026/00001"), item(2, 7, 5000, "INV/2026/00002"),
                 item(3, 7, 5000, "INV/2026/00003")]
        best, decision = self.best(line(15000, "INV/2026/00001 and INV/2026/00002"), items)
        self.assertEqual(best.item_ids, (1, 2))
        self.assertEqual(best.shape, "exact")
        self.assertTrue(decision.automatic)

    def test_subset_of_a_known_payer_with_credit_note(self):
        items = [item(1, 7, 10000, "INV/2026/00001"), item(2, 7, 7000, "INV/2026/00002"),
                 item(3, 7, -2000, "RINV/2026/00001"), item(4, 7, 40000, "INV/2026/00004")]
        best, decision = self.best(line(15000, "see remittance advice", partner=7, source="account"), items)
        self.assertEqual(set(best.item_ids), {1, 2, 3})
        self.assertTrue(decision.automatic)

    def test_subset_search_is_bounded(self):
        items = [item(i, 7, 100 + i, f"INV/2026/{i:05d}") for i in range(1, 30)]
        self.assertLessEqual(len(subsets_summing_to(items, 10**9, 5, 1000)), 2)

    def test_nothing_for_outgoing_or_unknown(self):
        self.assertEqual(propose(line(-10000, "INV/2026/00001"), [item(1, 7, 10000, "INV/2026/00001")]), [])
        self.assertFalse(decide([]).automatic)

    def test_payment_long_before_the_invoice_is_suspicious(self):
        late = item(1, 7, 10000, "INV/2026/00001", when=date(2026, 12, 31))
        best, _decision = self.best(line(10000, "INV/2026/00001"), [late])
        self.assertIn("before the invoice", best.explanation)
        self.assertLess(best.confidence, 0.9)
