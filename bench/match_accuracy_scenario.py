"""The labelled scenario of bench/match_accuracy.py, run inside Odoo (``odoo-bin shell``).

It is read as text and executed with ``env`` in scope, with ``PARAMS`` set to a dict:
customers, invoices, lines, seed. It prints one JSON object: the figures.
"""
# ruff: noqa: F821 - env and PARAMS are given by the shell

import json
import random
import time
from collections import Counter
from datetime import date, timedelta

from odoo.addons.customer_ledger.lib.matching import propose

rng = random.Random(PARAMS["seed"])
company = env.company
company.write({"ledger_tolerance_amount": 5.0, "ledger_tolerance_percent": 0.0,
               "ledger_writeoff_account_id": env["account.account"].search(
                   [("company_id", "=", company.id), ("account_type", "=", "expense")], limit=1).id})
journal = env["account.journal"].create({"name": "Bench Bank", "code": "BNCH", "type": "bank",
                                         "bank_acc_number": "DE89370400440532099999"})
foreign = env.ref("base.EUR") if company.currency_id != env.ref("base.EUR") else env.ref("base.GBP")
foreign.active = True
env["res.currency.rate"].create({"currency_id": foreign.id, "name": "2026-01-01", "rate": 0.92,
                                 "company_id": company.id})
env.cr.commit()

WORDS = ("Alpine Amber Apex Atlas Azure Beacon Birch Blue Bright Cedar Coastal Copper Crest Delta Eagle "
         "Echo Elm Falcon Fern Fjord Forest Golden Granite Harbor Hazel Horizon Iron Ivory Juniper Keystone "
         "Lake Lotus Maple Meadow Metro North Oak Ocean Onyx Orchid Pacific Pine Polar Prime Quartz Raven "
         "River Rock Sage Silver Solar Spruce Star Stone Summit Swift Tiger Titan Valley Vertex Willow Zenith"
         ).split()
TRADES = "Trading Logistics Systems Foods Textiles Motors Media Consulting Builders Pharma Labs Design".split()
FORMS = ["GmbH", "Ltd", "SA", "BV", "Oy", "AG", "Inc", "SARL", "LLC", "SpA"]


def company_name(i):
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {FORMS[i % len(FORMS)]}"


def iban(i):
    return f"DE{10 + i % 89:02d}{rng.randrange(10**17, 10**18)}"


def bank_spelling(name):
    """How a bank writes a payer's name: upper-case, cut, legal form dropped or abbreviated."""
    words = name.upper().split()
    choice = rng.random()
    if choice < 0.3:
        words = words[:-1]
    elif choice < 0.5:
        words = words[:3]
    return " ".join(words)[:35]


# --- customers and their open invoices --------------------------------------------------
t0 = time.time()
partners = env["res.partner"].create([{"name": company_name(i), "is_company": True}
                                      for i in range(PARAMS["customers"])])
has_iban = {}
banks = []
for i, partner in enumerate(partners):
    if rng.random() < 0.7:
        has_iban[partner.id] = iban(i)
        banks.append({"acc_number": has_iban[partner.id], "partner_id": partner.id})
env["res.partner.bank"].create(banks)
env.cr.commit()

invoice_vals = []
for i in range(PARAMS["invoices"]):
    partner = partners[i % len(partners)]
    # some customers pay a subscription: the same amount every month
    if partner.id % 7 == 0:
        amount = 99.0 + (partner.id % 5) * 50
    else:
        amount = round(rng.uniform(20, 5000), 2)
    in_foreign = rng.random() < 0.04
    invoice_vals.append({
        "move_type": "out_invoice" if rng.random() > 0.03 else "out_refund",
        "partner_id": partner.id,
        "invoice_date": (date(2026, 11, 15) - timedelta(days=rng.randrange(0, 200))).isoformat(),
        "currency_id": foreign.id if in_foreign else company.currency_id.id,
        "invoice_line_ids": [(0, 0, {"name": "Goods", "quantity": 1, "price_unit": amount,
                                     "tax_ids": [(6, 0, [])]})],
    })
invoices = env["account.move"]
for start in range(0, len(invoice_vals), 500):
    batch = env["account.move"].with_context(tracking_disable=True).create(invoice_vals[start:start + 500])
    batch.action_post()
    env.cr.commit()
    invoices |= batch
generated_in = time.time() - t0

# --- bank lines, each with the truth -----------------------------------------------------
open_invoices = [inv for inv in invoices if inv.move_type == "out_invoice"]
rng.shuffle(open_invoices)
by_partner = {}
for inv in open_invoices:
    by_partner.setdefault(inv.partner_id.id, []).append(inv)
used = set()


def take(predicate=lambda inv: True):
    for inv in open_invoices:
        if inv.id not in used and predicate(inv):
            used.add(inv.id)
            return inv
    raise RuntimeError("ran out of invoices")


def oldest_alike(inv):
    """Customers paying without a reference pay their oldest open invoice of that amount first."""
    alike = [other for other in by_partner[inv.partner_id.id] if other.amount_residual == inv.amount_residual
             and other.currency_id == inv.currency_id and (other.id not in used or other == inv)]
    oldest = min(alike, key=lambda other: (other.invoice_date, other.id))
    used.discard(inv.id)
    used.add(oldest.id)
    return oldest


def typo(reference):
    chars = list(reference)
    digits = [i for i, c in enumerate(chars) if c.isdigit()]
    where = rng.choice(digits[-4:])
    kind = rng.random()
    if kind < 0.4:
        chars[where] = "O" if chars[where] == "0" else "l" if chars[where] == "1" else chars[where] + chars[where]
    elif kind < 0.7:
        del chars[where]
    else:
        chars.insert(where, chars[where])
    return "".join(chars)


def variant(name):
    prefix, year, number = name.split("/")
    return rng.choice([f"{prefix.lower()} {year}-{int(number)}", f"{prefix}{year}{number}",
                       f"{prefix}.{year}.{number}", f"{prefix.lower()}/{year}/{number}",
                       f"Re {prefix} {year} {number}"])


MIX = [("clean_reference", 25), ("reference_variant", 14), ("reference_typo", 7), ("iban_only", 15),
       ("name_only", 8), ("several_invoices", 7), ("partial", 5), ("fee", 5), ("foreign_currency", 4),
       ("no_invoice", 10)]
kinds = [kind for kind, weight in MIX for _ in range(weight)]
lines, truth = [], []
currency_name = company.currency_id.name
for n in range(PARAMS["lines"]):
    kind = kinds[n % len(kinds)]
    text, account, payer, amount, paid = "", "", "", None, []
    extra = {}
    if kind == "clean_reference":
        inv = take(lambda i: i.currency_id == company.currency_id)
        text = rng.choice([f"Invoice {inv.name}", f"{inv.payment_reference}", f"Payment {inv.name} thanks"])
        amount, paid = inv.amount_residual, [inv]
        account = has_iban.get(inv.partner_id.id, "") if rng.random() < 0.5 else ""
    elif kind == "reference_variant":
        inv = take(lambda i: i.currency_id == company.currency_id)
        text, amount, paid = f"pmt {variant(inv.name)}", inv.amount_residual, [inv]
    elif kind == "reference_typo":
        inv = take(lambda i: i.currency_id == company.currency_id)
        text, amount, paid = f"Invoice {typo(inv.name)}", inv.amount_residual, [inv]
    elif kind == "iban_only":
        inv = oldest_alike(take(lambda i: i.currency_id == company.currency_id and i.partner_id.id in has_iban))
        text = rng.choice(["Payment", "Rechnung", "Monthly settlement", "Zahlung"])
        amount, paid = inv.amount_residual, [inv]
        account = has_iban[inv.partner_id.id]
    elif kind == "name_only":
        inv = oldest_alike(take(lambda i: i.currency_id == company.currency_id))
        text, amount, paid = "Payment", inv.amount_residual, [inv]
        payer = bank_spelling(inv.partner_id.name)
    elif kind == "several_invoices":
        named = rng.random() < 0.5
        first = take(lambda i, named=named: i.currency_id == company.currency_id
                     and (named or i.partner_id.id in has_iban) and sum(
                         1 for other in by_partner[i.partner_id.id]
                         if other.id not in used and other.currency_id == company.currency_id) >= 2)
        second = take(lambda i, p=first.partner_id: i.partner_id == p and i.currency_id == company.currency_id)
        if not named:  # without a reference, of items alike the oldest are paid first
            first = oldest_alike(first)
            second = oldest_alike(second)
        paid = [first, second]
        amount = round(first.amount_residual + second.amount_residual, 2)
        if named:
            text = f"{first.name} {second.name}"
        else:
            text, account = "Remittance advice by email", has_iban[first.partner_id.id]
    elif kind == "partial":
        inv = take(lambda i: i.currency_id == company.currency_id and i.amount_residual > 100)
        text, amount, paid = f"Instalment {inv.name}", round(inv.amount_residual * rng.uniform(0.3, 0.7), 2), [inv]
        account = has_iban.get(inv.partner_id.id, "")
    elif kind == "fee":
        inv = take(lambda i: i.currency_id == company.currency_id and i.amount_residual > 50)
        text, amount, paid = f"{inv.name}", round(inv.amount_residual - rng.uniform(0.5, 4.99), 2), [inv]
    elif kind == "foreign_currency":
        inv = take(lambda i: i.currency_id == foreign)
        text, paid = f"Invoice {inv.name}", [inv]
        amount = round(inv.amount_residual / 0.92 * rng.uniform(0.99, 1.01), 2)
        extra = {"foreign_currency": foreign.name, "amount_currency": f"{inv.amount_residual:.2f}"}
    else:  # no invoice at all
        text = rng.choice(["Refund of deposit", "Transfer", "Interest", "Order 4711", "Donation"])
        amount = round(rng.uniform(10, 3000), 2)
        payer = company_name(n)
    lines.append(dict({"key": f"bench:{n}", "date": "2026-11-20", "amount": f"{amount:.2f}",
                       "currency": currency_name, "payment_ref": text, "account_number": account,
                       "partner_name": payer or (paid[0].partner_id.name if paid and rng.random() < 0.5 else "")},
                      **extra))
    truth.append((kind, sorted(inv.id for inv in paid)))

sync = env["customer.ledger.sync"]
for start in range(0, len(lines), 500):
    sync.push_statement_lines("1.0", {"code": "BNCH"}, lines[start:start + 500])
    env.cr.commit()
st_lines = env["account.bank.statement.line"].search([("journal_id", "=", journal.id)])
by_key = {line.ledger_import_key: line for line in st_lines}

# --- matching ------------------------------------------------------------------------------
t0 = time.time()
ordered = [by_key[f"bench:{n}"] for n in range(len(lines))]
for start in range(0, len(ordered), 200):
    env["account.bank.statement.line"].browse([line.id for line in ordered[start:start + 200]])._ledger_match()
    env.cr.commit()
matched_in = time.time() - t0

# --- scoring ---------------------------------------------------------------------------------
auto = auto_correct = with_truth = with_truth_auto = rest = rest_top1 = 0
per_kind = Counter()
per_kind_auto = Counter()
mistakes = []
misses = []
env.invalidate_all()
for n, (kind, paid_ids) in enumerate(truth):
    line = by_key[f"bench:{n}"]
    if paid_ids:
        with_truth += 1
        per_kind[kind] += 1
    if line.ledger_reconciled_how == "auto":
        auto += 1
        got = sorted(line._ledger_reconciled_moves().ids)
        if got == paid_ids:
            auto_correct += 1
            if paid_ids:
                with_truth_auto += 1
                per_kind_auto[kind] += 1
        else:
            mistakes.append({"kind": kind, "text": lines[n]["payment_ref"], "got": got, "truth": paid_ids,
                             "reason": line.ledger_match_reason})
    elif paid_ids:
        rest += 1
        top1 = sorted(line.ledger_suggested_line_ids.move_id.ids) == paid_ids
        rest_top1 += top1
        bank_line, items, settings = line._ledger_candidates()[line.id]
        proposals = propose(bank_line, items, settings)
        misses.append({"kind": kind, "text": lines[n]["payment_ref"], "payer": lines[n]["partner_name"],
                       "top1": top1, "confidence": line.ledger_confidence, "reason": line.ledger_match_reason,
                       "runner_up": proposals[1].confidence if len(proposals) > 1 else None,
                       "runner_up_reason": proposals[1].explanation if len(proposals) > 1 else None})

print(json.dumps({
    "customers": len(partners), "invoices": len(invoices), "lines": len(lines),
    "generated_in": generated_in, "matched_in": matched_in,
    "automatic": auto, "automatic_correct": auto_correct, "with_true_match": with_truth,
    "automatic_of_true": with_truth_auto, "suggested_rest": rest, "suggested_rest_top1": rest_top1,
    "per_kind": {kind: [per_kind_auto[kind], per_kind[kind]] for kind in per_kind},
    "mistakes": mistakes[:20],
    "misses": misses,
}))
