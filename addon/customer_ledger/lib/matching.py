# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Matching bank transactions to open customer items, over plain values.

The model gathers the data (a bank line, its candidate open items, the company's settings)
and calls :func:`propose`; everything here is a plain function of plain values, so it is
tested without a database.

Amounts are integers in the smallest unit of the bank line's transaction currency (cents),
so that equality is exact. Open items' residuals arrive converted into that currency by the
caller (Odoo's rate machinery). An invoice's residual is positive, a credit note's negative.

Confidence is built from explainable signals:

- *reference*: the bank's structured reference equals the item's payment reference, or an
  item reference (invoice number, payment reference, customer reference) stands in the
  remittance text, whatever its separators, case and leading zeros (``INV/2026/00012``,
  ``inv 2026-12``, ``INV202600012``), or nearly so (typos, rapidfuzz);
- *partner*: the payer is known (bank account, a remembered mapping) or named alike;
- *amount*: exact, short within the tolerance (bank fee, discount: written off), short
  beyond it (a partial payment), or more (an overpayment, left as customer credit);
- *date*: a payment long before the invoice is suspicious.

A proposal may cover several items: those the text names, or, for a known partner, the one
subset of its open items (credit notes included) that adds up to the amount.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations

from rapidfuzz import fuzz

_TOKENS = re.compile(r"[A-Z]+|\d+")
_SPACES = re.compile(r"\s+")

# What one signal alone says about an item being the one paid.
STRUCTURED_REFERENCE = 0.99
EXACT_REFERENCE = 0.97
NUMBER_REFERENCE = 0.85
FUZZY_REFERENCE = 0.8
PARTNER_BY_ACCOUNT = 0.95
PARTNER_BY_MEMORY = 0.93
FIFO_GUESS = 0.8


@dataclass(frozen=True)
class Settings:
    """The company's matching settings, amounts in the line's smallest currency unit."""

    threshold: float = 0.9
    margin: float = 0.1
    tolerance: int = 0  # absolute, in cents
    tolerance_percent: float = 0.0
    can_write_off: bool = False
    name_min_score: float = 88.0
    max_subset_items: int = 24
    max_subset_size: int = 5
    max_subset_nodes: int = 50000


@dataclass(frozen=True)
class BankLine:
    id: int
    amount: int  # positive: money received
    date: date
    text: str = ""
    structured_ref: str = ""
    partner_id: int = 0
    partner_source: str = ""  # "account", "memory", "line" (set on the transaction) or ""
    counterparty_name: str = ""


@dataclass(frozen=True)
class OpenItem:
    id: int  # the journal item (account.move.line)
    partner_id: int
    residual: int  # in the line's currency: positive for invoices, negative for credit notes
    date: date
    references: tuple = ()
    partner_name: str = ""


@dataclass(frozen=True)
class Proposal:
    item_ids: tuple
    confidence: float
    shape: str  # exact, writeoff, partial, overpayment
    difference: int  # line amount minus the items' residuals
    reasons: tuple = field(default=())
    oldest: date | None = None  # ties go to the oldest open item: customers pay those first
    fifo: bool = False  # chosen as the oldest of identical items, not by evidence

    @property
    def explanation(self):
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class Decision:
    best: Proposal | None
    others: tuple
    automatic: bool
    reason: str


# ----------------------------------------------------------------------------
# References
# ----------------------------------------------------------------------------


def normalize_text(text):
    """Upper-case, with white space collapsed: what banks keep of a remittance text."""
    return _SPACES.sub(" ", (text or "").upper()).strip()


def compact(reference):
    """Letters and digits only, upper-case: ``inv/2026-0012`` -> ``INV20260012``."""
    return "".join(_TOKENS.findall((reference or "").upper()))


def number_key(reference):
    """The digit groups without leading zeros: ``INV/2026/00012`` -> ``2026-12``.

    Empty for references whose digits are too short to tell invoices apart.
    """
    groups = re.findall(r"\d+", reference or "")
    if not groups or (len(groups) == 1 and len(groups[0]) < 6):
        return ""
    return "-".join(str(int(group)) for group in groups)


def prefixed_number_key(reference):
    """The letters before the first digits and the number key: ``INV/2026/00012`` ->
    ``INV:2026-12``; a reference written with other separators and zero padding keeps it."""
    match = re.match(r"\W*([A-Za-z]+)\W*\d", reference or "")
    numbers = number_key(reference)
    return f"{match.group(1).upper()}:{numbers}" if match and numbers else ""


def text_keys(text, max_window=5):
    """Every key a reference in ``text`` could have: compact forms of runs of up to
    ``max_window`` tokens, and number keys of runs of digit tokens."""
    tokens = _TOKENS.findall((text or "").upper())
    keys = set()
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + max_window, len(tokens)) + 1):
            keys.add("".join(tokens[start:end]))
    digits = [i for i, token in enumerate(tokens) if token.isdigit()]
    runs, run = [], []
    for i in digits:
        if run and i != run[-1] + 1:
            runs.append(run)
            run = []
        run.append(i)
    if run:
        runs.append(run)
    for run in runs:
        prefix = tokens[run[0] - 1] if run[0] and not tokens[run[0] - 1].isdigit() else ""
        for start in range(len(run)):
            for end in range(start + 1, min(start + 4, len(run)) + 1):
                key = number_key(" ".join(tokens[i] for i in run[start:end]))
                if key:
                    keys.add(key)
                    if start == 0 and prefix:
                        keys.add(f"{prefix}:{key}")
    return {key for key in keys if len(key) >= 3}


def reference_signal(line, item, line_keys=None, fuzzy=True):
    """``(strength, reason)`` of the best reference evidence that ``line`` pays ``item``.

    ``fuzzy`` also looks for references nearly in the text (typos). :func:`propose` turns it
    off when the text names an item that explains the amount, as the neighbours of an invoice
    number are always nearly in the text.
    """
    line_keys = text_keys(line.text) if line_keys is None else line_keys
    structured = compact(line.structured_ref)
    best = (0.0, "")
    text = compact(line.text)
    for reference in item.references:
        ref = compact(reference)
        if len(ref) < 3:
            continue
        if structured and ref == structured:
            return STRUCTURED_REFERENCE, f"structured reference {line.structured_ref} is {reference}'s"
        if (ref in line_keys or prefixed_number_key(reference) in line_keys) and best[0] < EXACT_REFERENCE:
            best = (EXACT_REFERENCE, f"{reference} is named in the payment text")
        numbers = number_key(reference)
        if numbers and numbers in line_keys and best[0] < NUMBER_REFERENCE:
            best = (NUMBER_REFERENCE, f"the numbers of {reference} are in the payment text")
        if fuzzy and best[0] < FUZZY_REFERENCE and len(ref) >= 6 and text:
            score = fuzz.partial_ratio(ref, text)
            if score >= 90:
                best = (FUZZY_REFERENCE * score / 100, f"{reference} is nearly in the payment text ({score:.0f}%)")
    return best


# ----------------------------------------------------------------------------
# Partners and amounts
# ----------------------------------------------------------------------------


def name_score(counterparty_name, partner_name):
    if not counterparty_name or not partner_name:
        return 0.0
    return fuzz.token_set_ratio(normalize_text(counterparty_name), normalize_text(partner_name))


def partner_signal(line, item, settings):
    """``(strength, reason, contradicts)``: how sure we are that the payer is the item's
    partner, and whether the line names another partner for sure."""
    if line.partner_id:
        if line.partner_id == item.partner_id:
            strength = PARTNER_BY_ACCOUNT if line.partner_source == "account" else PARTNER_BY_MEMORY
            how = {"account": "bank account", "memory": "a remembered mapping"}.get(
                line.partner_source, "the transaction's partner")
            return strength, f"payer identified by {how}", False
        return 0.0, "", True
    score = name_score(line.counterparty_name, item.partner_name)
    if score >= settings.name_min_score:
        strength = 0.93 if score >= 95 else 0.75
        return strength, f"payer name is like {item.partner_name} ({score:.0f}%)", False
    return 0.0, "", False


def tolerance_for(amount, settings):
    return max(settings.tolerance, round(abs(amount) * settings.tolerance_percent / 100))


def amount_fit(amount, residual, settings, referenced, partner_known):
    """``(fit, shape, reason)`` for paying ``residual`` with ``amount``, given whether the text
    names the item and whether the payer is known to be its partner."""
    difference = amount - residual
    if difference == 0:
        return 1.0, "exact", "same amount"
    if difference < 0 and -difference <= tolerance_for(residual, settings) and settings.can_write_off:
        # a deducted fee comes with a reference; from a known payer without one it is a guess
        fit = 0.93 if referenced else 0.7
        return fit, "writeoff", f"short by {-difference / 100:.2f}, within the tolerance: written off"
    if not (referenced or partner_known):
        return 0.3, "partial" if difference < 0 else "overpayment", "amounts differ"
    # without knowing the payer, another number in the text may be a typo as well as a part payment
    fit = 0.85 if partner_known else 0.7
    if difference < 0:
        return fit, "partial", f"partial payment, {-difference / 100:.2f} left open"
    return fit, "overpayment", f"overpaid by {difference / 100:.2f}, left as customer credit"


def date_factor(line, items):
    oldest = min(item.date for item in items)
    if line.date and oldest and (oldest - line.date).days > 7:
        return 0.8, "paid before the invoice was issued"
    return 1.0, ""


# ----------------------------------------------------------------------------
# Proposals
# ----------------------------------------------------------------------------


def _combine(reference, partner, contradicts, fit, unique):
    if reference:
        confidence = reference * fit
        if contradicts:
            confidence *= 0.4
        elif partner:
            confidence = 1 - (1 - confidence) * (1 - partner) ** 0.5
        return confidence
    if partner and not contradicts:
        return partner * fit * (1.0 if unique else 0.5)
    return (0.4 if unique else 0.2) * fit


def _proposal(line, items, reference, reference_reason, settings, unique):
    residual = sum(item.residual for item in items)
    signals = [partner_signal(line, item, settings) for item in items]
    partner = max(signals, key=lambda signal: signal[0])
    contradicts = all(signal[2] for signal in signals)
    fit, shape, amount_reason = amount_fit(line.amount, residual, settings, bool(reference),
                                           bool(partner[0]) and not contradicts)
    confidence = _combine(reference, partner[0], contradicts, fit, unique)
    factor, date_reason = date_factor(line, items)
    confidence *= factor
    reasons = [r for r in (reference_reason, partner[1], amount_reason, date_reason) if r]
    if contradicts:
        reasons.append("the payer's bank account belongs to another partner")
    return Proposal(
        item_ids=tuple(item.id for item in items),
        confidence=round(min(confidence, 0.999), 4),
        shape=shape,
        difference=line.amount - residual,
        reasons=tuple(reasons),
        oldest=min(item.date for item in items),
    )


def subsets_summing_to(items, amount, max_size, max_nodes):
    """Subsets of ``items`` (sizes 2..max_size) whose residuals add up to ``amount``.

    A bounded search: it stops after ``max_nodes`` combinations and returns what it found,
    at most two (two are enough to know that the answer is not unique).
    """
    found = []
    nodes = 0
    for size in range(2, min(max_size, len(items)) + 1):
        for combo in combinations(items, size):
            nodes += 1
            if nodes > max_nodes:
                return found
            if sum(item.residual for item in combo) == amount:
                found.append(combo)
                if len(found) > 1:
                    return found
    return found


def propose(line, items, settings=Settings()):
    """Every proposal for ``line`` among its candidate ``items``, best first."""
    if line.amount <= 0 or not items:
        return []
    keys = text_keys(line.text)
    proposals = {}
    referenced = []
    exact_counts = {}
    for item in items:
        exact_counts[item.partner_id] = exact_counts.get(item.partner_id, 0) + (item.residual == line.amount)
    exact_overall = sum(exact_counts.values())
    signals = {item.id: reference_signal(line, item, keys, fuzzy=False) for item in items if item.residual > 0}
    # invoices named exactly that explain the amount make their neighbours' numbers noise;
    # named for another amount, the text may as well hold a typo of the one that fits
    named = [item for item in items if item.residual > 0 and signals[item.id][0]]
    explained = any(abs(line.amount - item.residual) <= tolerance_for(item.residual, settings) for item in named)
    explained = explained or (len(named) > 1 and sum(item.residual for item in named) == line.amount)
    if not explained:
        signals = {item.id: reference_signal(line, item, keys) for item in items if item.residual > 0}
    # a payer with several open items of exactly this amount (a subscription, say) pays the
    # oldest first: that one is the candidate, the others are not
    oldest_alike = {}
    for item in sorted(items, key=lambda i: (i.date, i.id)):
        if item.residual == line.amount and not named:
            oldest_alike.setdefault(item.partner_id, item.id)
    for item in items:
        if item.residual <= 0:
            continue
        reference, reason = signals[item.id]
        if reference >= NUMBER_REFERENCE:
            referenced.append((item, reference, reason))
        partner_known = line.partner_id and line.partner_id == item.partner_id
        unique = exact_counts[item.partner_id] == 1 if partner_known or not line.partner_id else exact_overall == 1
        fifo = not unique and not reference and oldest_alike.get(item.partner_id) == item.id
        if fifo:
            reason = f"the oldest of the payer's {exact_counts[item.partner_id]} open items of this amount"
        proposal = _proposal(line, [item], reference, reason, settings, unique or fifo)
        if fifo:
            # a good guess, and the one to suggest, but nothing tells the items apart
            proposal = replace(proposal, confidence=min(proposal.confidence, FIFO_GUESS), fifo=True)
        proposals[proposal.item_ids] = proposal

    # several invoices named in the text
    by_partner = {}
    for item, reference, reason in referenced:
        by_partner.setdefault(item.partner_id, []).append((item, reference, reason))
    for group in by_partner.values():
        if len(group) < 2:
            continue
        group_items = [item for item, _r, _w in group]
        reference = min(r for _i, r, _w in group)
        names = ", ".join(reason.split(" ", 1)[0] for _i, _r, reason in group)
        proposal = _proposal(line, group_items, reference, f"{names} are named in the payment text",
                             settings, True)
        proposals[proposal.item_ids] = proposal

    # a known payer's open items (credit notes netted) that add up to the amount, when no single
    # item of the payer has the amount and the text named nothing sure
    sure = any(p.confidence >= settings.threshold for p in proposals.values())
    if line.partner_id and not exact_counts.get(line.partner_id) and not sure:
        own = sorted((item for item in items if item.partner_id == line.partner_id), key=lambda i: (i.date, i.id))
        own = own[: settings.max_subset_items]
        subsets = subsets_summing_to(own, line.amount, settings.max_subset_size, settings.max_subset_nodes)
        for combo in subsets:
            proposal = _proposal(line, list(combo), 0.0, f"{len(combo)} open items of the payer add up to the amount",
                                 settings, len(subsets) == 1)
            proposals.setdefault(proposal.item_ids, proposal)

    ordered = sorted(proposals.values(), key=lambda p: (-p.confidence, len(p.item_ids), p.oldest, p.item_ids))
    return [p for p in ordered if p.confidence > 0.05]


def decide(proposals, settings=Settings()):
    """Whether the best proposal may be applied without a human: above the threshold and
    clearly ahead of the next one."""
    if not proposals:
        return Decision(None, (), False, "no candidate")
    best, others = proposals[0], tuple(proposals[1:])
    # a proposal paying part of the best one's items is no rival: it explains the amount worse
    rivals = [p for p in others if not set(p.item_ids) < set(best.item_ids)]
    runner_up = rivals[0].confidence if rivals else 0.0
    if best.confidence < settings.threshold:
        return Decision(best, others, False, f"confidence {best.confidence:.0%} is below the threshold")
    if best.confidence - runner_up < settings.margin:
        return Decision(best, others, False, f"another candidate is close ({runner_up:.0%})")
    return Decision(best, others, True, f"confidence {best.confidence:.0%}")


def reference_in_text(reference, text):
    """True when ``reference`` stands in ``text`` in any separator, case or zero padding."""
    keys = text_keys(text)
    return compact(reference) in keys or (number_key(reference) or "\0") in keys
