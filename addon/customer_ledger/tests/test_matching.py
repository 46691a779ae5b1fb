# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dataclasses import replace
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
    typo_number_keys,
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

    def test_typo_keys_reach_the_number_meant(self):
        keys = typo_number_keys("Invoice INV/2026/0139 for order 12")
        self.assertIn("2026-1393", keys)  # the payer dropped a digit
        self.assertIn("2026-138", keys)  # or changed one
        self.assertIn("2026-319", keys)  # or swapped two
        self.assertNotIn("2026-13933", keys)  # two typos
        self.assertEqual(typo_number_keys("thanks, order 12"), set())

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

    def test_digits_typed_as_letters(self):
        best, decision = self.best(line(10000, "INV/2026/0O1l2"), [item(1, 7, 10000, "INV/2026/00112")])
        self.assertEqual(best.item_ids, (1,))
        self.assertIn("O for 0", best.explanation)
        self.assertTrue(decision.automatic)
        self.assertIn("INV202600112", text_keys("INV/2026/0O1l2"))
        self.assertNotIn("INV202600112", text_keys("INV/2026/0O1X2"))

    def test_typo_counts_where_the_amount_fits(self):
        items = [item(1, 7, 10000, "INV/2026/01393"), item(2, 8, 55000, "INV/2026/00139")]
        # a digit doubled: no other reference, the only item of the amount
        best, decision = self.best(line(10000, "Invoice INV/2026/013933"), items)
        self.assertEqual(best.item_ids, (1,))
        self.assertIn("one character off", best.explanation)
        self.assertTrue(decision.automatic)
        # a digit dropped: the text names another invoice exactly, the amount is the typo's
        best, decision = self.best(line(10000, "Invoice INV/2026/0139"), items)
        self.assertEqual(best.item_ids, (1,))
        self.assertFalse(decision.automatic)
        # the amount fits no item: the typo is no evidence, the invoice named is paid in part
        best, decision = self.best(line(7000, "Invoice INV/2026/0139"), items)
        self.assertEqual((best.item_ids, best.shape), ((2,), "partial"))
        # two items of the amount: the nearer reference is suggested, nothing is applied
        items = [item(1, 7, 10000, "INV/2026/00578"), item(2, 8, 10000, "INV/2026/00576")]
        best, decision = self.best(line(10000, "Invoice INV/2026/005778"), items)
        self.assertEqual(best.item_ids, (1,))
        self.assertFalse(decision.automatic)
        # a short reference one character off is another reference, not a typo
        best, _decision = self.best(line(10000, "Order 12346"), [item(1, 7, 10000, "SO12345")])
        self.assertNotIn("off", best.explanation)

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
        self.assertTrue(decision.automatic)
        # the oldest is suggested for another payment (a reference with a typo, say): the next one
        proposals = propose(line(10000, "thanks", partner=7, source="account"), items, SETTINGS, reserved={4})
        self.assertEqual(proposals[0].item_ids, (1,))
        self.assertTrue(decide(proposals, SETTINGS).automatic)
        # unless the company says otherwise, then it is a suggestion
        best, decision = self.best(line(10000, "thanks", partner=7, source="account"), items,
                                   Settings(oldest_first=False))
        self.assertEqual(best.item_ids, (4,))
        self.assertFalse(decision.automatic)
        # a payer named as the partner is (the legal form dropped) is sure enough
        best, decision = self.best(line(10000, "thanks", name="LOTUS TRADING"),
                                   [replace(i, partner_name="Lotus Trading GmbH") for i in items if i.partner_id == 7])
        self.assertEqual(best.item_ids, (4,))
        self.assertTrue(decision.automatic)
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
            10000: "exact",
            9700: "writeoff",  # short by 3.00, tolerance 5.00
            6000: "partial",
            12000: "overpayment",
        }
        for amount, shape in cases.items():
            with self.subTest(amount):
                best, decision = self.best(line(amount, "INV/2026/00001"), [invoice])
                self.assertEqual(best.shape, shape)
                self.assertEqual(best.difference, amount - 10000)
                self.assertTrue(decision.automatic)
        # another item has the amount: the text may name the wrong invoice
        other = item(2, 8, 6000, "SO/77")
        best, decision = self.best(line(6000, "INV/2026/00001"), [invoice, other])
        self.assertEqual((best.shape, decision.automatic), ("partial", False))
        # unless the payer is known
        best, decision = self.best(line(6000, "INV/2026/00001", partner=7, source="account"), [invoice, other])
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

    def test_subset_of_items_alike_takes_the_oldest(self):
        items = [item(i, 7, 9900, f"INV/2026/{i:05d}", when=date(2026, i, 1)) for i in range(1, 6)]
        best, decision = self.best(line(19800, "subscription", partner=7, source="account"), items)
        self.assertEqual(best.item_ids, (1, 2))
        self.assertIn("oldest", best.explanation)
        self.assertTrue(decision.automatic)
        subsets = subsets_summing_to(items, 19800, 3, 1000)
        self.assertEqual([(tuple(i.id for i in combo), alike) for combo, alike in subsets], [((1, 2), 9)])

    def test_fewest_items_explain_a_payment_best(self):
        # two invoices, or the same two with a third and a credit note that cancel out
        items = [item(1, 7, 9900, "INV/2026/00001", when=date(2026, 1, 1)),
                 item(2, 7, 9900, "INV/2026/00002", when=date(2026, 2, 1)),
                 item(3, 7, 5000, "INV/2026/00003", when=date(2026, 3, 1)),
                 item(4, 7, -5000, "RINV/2026/00001", when=date(2026, 3, 2))]
        best, decision = self.best(line(19800, "remittance", partner=7, source="account"), items)
        self.assertEqual(best.item_ids, (1, 2))
        self.assertTrue(decision.automatic)

    def test_overpaying_a_named_invoice_may_be_a_typo_of_one_that_fits(self):
        items = [item(1, 7, 10000, "INV/2026/01253"), item(2, 8, 9563, "INV/2026/00125")]
        best, _decision = self.best(line(10000, "Invoice INV/2026/0125"), items)
        self.assertEqual(best.item_ids, (1,))

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
