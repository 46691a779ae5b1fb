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
  ``inv 2026-12``, ``INV202600012``), with ``O`` typed for ``0`` or ``l`` for ``1``
  (``INV/2026/0O0l2``), or one or two characters off (a typo: rapidfuzz's edit distance).
  A reference with a typo counts only where the amount fits: invoice numbers run in
  sequence, so a typo of one is often the exact number of its neighbour;
- *partner*: the payer is known (bank account, a remembered mapping) or named alike;
- *amount*: exact (and the only candidate of that amount: evidence of its own), short within
  the tolerance (bank fee, discount: written off), short beyond it (a partial payment), or
  more (an overpayment, left as customer credit);
- *date*: a payment long before the invoice is suspicious.

A proposal may cover several items: those the text names, or, for a known partner, the one
subset of its open items (credit notes included) that adds up to the amount.

A payer known for sure who pays the amount of several of its open items alike (a
subscription, say) pays the oldest first: with ``Settings.oldest_first`` that one is
reconciled, as Odoo's reconciliation models do with "oldest first"; without, it is suggested.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

_TOKENS = re.compile(r"[A-Z]+|\d+")
_SPACES = re.compile(r"\s+")
# a word of digits with O typed for 0 or l (I) for 1: "002O7", "0l036"
_MISREAD_DIGITS = re.compile(r"\b(?=[0-9OolI]*\d)[0-9OolI]+\b")
_AS_DIGITS = str.maketrans("OolI", "0011")

# What one signal alone says about an item being the one paid.
STRUCTURED_REFERENCE = 0.99
EXACT_REFERENCE = 0.97
MISREAD_REFERENCE = 0.95  # named with O for 0 or l for 1
NUMBER_REFERENCE = 0.85
TYPO_REFERENCE = {1: 0.85, 2: 0.6}  # by edit distance
PARTNER_BY_ACCOUNT = 0.95
PARTNER_BY_MEMORY = 0.93
SURE_PAYER = 0.9  # a partner signal this strong identifies the payer
FIFO_GUESS = 0.8
# an exact amount that no other candidate has, beside a reference: half the doubt goes
AMOUNT_UNIQUE = 0.5


@dataclass(frozen=True)
class Settings:
    """The company's matching settings, amounts in the line's smallest currency unit."""

    threshold: float = 0.9
    margin: float = 0.1
    tolerance: int = 0  # absolute, in cents
    tolerance_percent: float = 0.0
    can_write_off: bool = False
    oldest_first: bool = True
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


def read_digits(text):
    """``text`` with O typed for 0 and l or I for 1 in words of digits: ``002O7`` -> ``00207``."""
    return _MISREAD_DIGITS.sub(lambda match: match.group(0).translate(_AS_DIGITS), text or "")


def _digit_runs(tokens):
    """The runs of consecutive digit tokens, as lists of their indices."""
    runs, run = [], []
    for i in (i for i, token in enumerate(tokens) if token.isdigit()):
        if run and i != run[-1] + 1:
            runs.append(run)
            run = []
        run.append(i)
    if run:
        runs.append(run)
    return runs


def _keys(text, max_window):
    tokens = _TOKENS.findall((text or "").upper())
    keys = set()
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + max_window, len(tokens)) + 1):
            keys.add("".join(tokens[start:end]))
    for run in _digit_runs(tokens):
        prefix = tokens[run[0] - 1] if run[0] and not tokens[run[0] - 1].isdigit() else ""
        for start in range(len(run)):
            for end in range(start + 1, min(start + 4, len(run)) + 1):
                key = number_key(" ".join(tokens[i] for i in run[start:end]))
                if key:
                    keys.add(key)
                    if start == 0 and prefix:
                        keys.add(f"{prefix}:{key}")
    return frozenset(key for key in keys if len(key) >= 3)


@dataclass(frozen=True)
class LineKeys:
    """What references a remittance text could name."""

    literal: frozenset  # compact forms of runs of tokens, number keys
    misread: frozenset = frozenset()  # found only reading O as 0 and l as 1
    words: tuple = ()  # the literal compact forms holding digits, for typos

    @classmethod
    def of(cls, text, max_window=5):
        literal = _keys(text, max_window)
        read = read_digits(text)
        misread = _keys(read, max_window) - literal if read != text else frozenset()
        words = tuple(sorted(key for key in literal if key.isalnum() and not key.isalpha()))
        return cls(literal, misread, words)

    def typo_distance(self, reference):
        """The edit distance (1 or 2, transpositions counting one) from the compact
        ``reference`` to the nearest run of tokens of the text; 0 when none is that near.
        Short references get no typos: one character off is another reference."""
        if len(reference) < 8:
            return 0
        limit = 2 if len(reference) >= 10 else 1
        words = [word for word in self.words if abs(len(word) - len(reference)) <= limit]
        best = process.extractOne(reference, words, scorer=OSA.distance, score_cutoff=limit)
        return best[1] if best else 0


def _one_typo_away(digits):
    """Strings of digits one typo from ``digits``: one dropped, added, changed, or two swapped."""
    variants = set()
    for i in range(len(digits) + 1):
        variants.update(digits[:i] + d + digits[i:] for d in "0123456789")
        if i < len(digits):
            variants.add(digits[:i] + digits[i + 1:])
            variants.update(digits[:i] + d + digits[i + 1:] for d in "0123456789")
        if i < len(digits) - 1:
            variants.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:])
    variants.discard(digits)
    return variants


def typo_number_keys(text, max_keys=2000):
    """Number keys one typo away from the numbers in ``text`` (``INV/2026/0139`` ->
    ``2026-1393``, ...): where the matcher looks for an invoice whose number the payer
    mistyped. At most ``max_keys``, the first numbers of the text first."""
    tokens = _TOKENS.findall(read_digits(text).upper())
    keys = set()
    for run in _digit_runs(tokens):
        groups = [tokens[i] for i in run]
        for end in range(1, len(groups) + 1):
            for start in range(max(0, end - 3), end):
                window = groups[start:end]
                for i, group in enumerate(window):
                    if len(group) < 3:
                        continue
                    for variant in sorted(_one_typo_away(group)):
                        key = number_key(" ".join([*window[:i], variant, *window[i + 1:]]))
                        if key:
                            keys.add(key)
                if len(keys) >= max_keys:
                    return keys
    return keys


def text_keys(text, max_window=5):
    """Every key a reference in ``text`` could have: compact forms of runs of up to
    ``max_window`` tokens, and number keys of runs of digit tokens, also reading O as 0
    and l as 1 in words of digits."""
    keys = LineKeys.of(text, max_window)
    return set(keys.literal | keys.misread)


def reference_signal(line, item, line_keys=None, fuzzy=True):
    """``(strength, reason)`` of the best reference evidence that ``line`` pays ``item``.

    ``fuzzy`` also looks for references with typos in the text. :func:`propose` asks for it
    only where the amount fits, as the neighbours of an invoice number are a typo away.
    """
    line_keys = LineKeys.of(line.text) if line_keys is None else line_keys
    structured = compact(line.structured_ref)
    best = (0.0, "")
    for reference in item.references:
        ref = compact(reference)
        if len(ref) < 3:
            continue
        if structured and ref == structured:
            return STRUCTURED_REFERENCE, f"structured reference {line.structured_ref} is {reference}'s"
        forms = {ref, prefixed_number_key(reference)} - {""}
        if forms & line_keys.literal:
            best = max(best, (EXACT_REFERENCE, f"{reference} is named in the payment text"))
        elif forms & line_keys.misread:
            best = max(best, (MISREAD_REFERENCE, f"{reference} is named in the payment text (O for 0, l for 1)"))
        numbers = number_key(reference)
        if numbers and best[0] < NUMBER_REFERENCE and numbers in line_keys.literal | line_keys.misread:
            best = (NUMBER_REFERENCE, f"the numbers of {reference} are in the payment text")
        if fuzzy and best[0] < TYPO_REFERENCE[1]:
            distance = line_keys.typo_distance(ref)
            if distance and best[0] < TYPO_REFERENCE[distance]:
                off = "one character" if distance == 1 else "two characters"
                best = (TYPO_REFERENCE[distance], f"{reference} is in the payment text with {off} off")
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


def amount_fit(amount, residual, settings, referenced, partner_known, nothing_fits=False):
    """``(fit, shape, reason)`` for paying ``residual`` with ``amount``, given whether the text
    names the item, whether the payer is known to be its partner, and whether no candidate
    at all has the amount (else the text may name one item and the amount be another's)."""
    difference = amount - residual
    if difference == 0:
        return 1.0, "exact", "same amount"
    if difference < 0 and -difference <= tolerance_for(residual, settings) and settings.can_write_off:
        # a deducted fee comes with a reference; from a known payer without one it is a guess
        fit = 0.93 if referenced else 0.7
        return fit, "writeoff", f"short by {-difference / 100:.2f}, within the tolerance: written off"
    if not (referenced or partner_known):
        return 0.3, "partial" if difference < 0 else "overpayment", "amounts differ"
    if referenced and nothing_fits:
        fit = 0.95  # the item the text names, and no other item has the amount
    else:
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


def _combine(reference, partner, contradicts, fit, unique, amount_unique):
    if reference:
        confidence = reference * fit
        if contradicts:
            return confidence * 0.4
        if partner:
            confidence = 1 - (1 - confidence) * (1 - partner) ** 0.5
        if amount_unique and fit == 1:
            confidence = 1 - (1 - confidence) * (1 - AMOUNT_UNIQUE)
        return confidence
    if partner and not contradicts:
        return partner * fit * (1.0 if unique else 0.5)
    return (0.4 if unique else 0.2) * fit


def _proposal(line, items, reference, reference_reason, settings, unique, amount_unique=False, nothing_fits=False):
    residual = sum(item.residual for item in items)
    signals = [partner_signal(line, item, settings) for item in items]
    partner = max(signals, key=lambda signal: signal[0])
    contradicts = all(signal[2] for signal in signals)
    fit, shape, amount_reason = amount_fit(line.amount, residual, settings, bool(reference),
                                           bool(partner[0]) and not contradicts, nothing_fits)
    amount_unique = amount_unique and bool(reference) and fit == 1 and not contradicts
    if amount_unique:
        amount_reason = "same amount, which no other open item has"
    confidence = _combine(reference, partner[0], contradicts, fit, unique, amount_unique)
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


def _oldest_first(proposal, line, item, settings):
    """The proposal of the oldest of several items alike: applied for a sure payer when the
    company pays the oldest first, else a suggestion at most."""
    sure = settings.oldest_first and partner_signal(line, item, settings)[0] >= SURE_PAYER
    confidence = proposal.confidence if sure else min(proposal.confidence, FIFO_GUESS)
    return replace(proposal, confidence=confidence, fifo=True)


def subsets_summing_to(items, amount, max_size, max_nodes):
    """Subsets of ``items`` (sizes 2..max_size) whose residuals add up to ``amount``.

    Subsets made of the same partners' same amounts count once: as the first found, the
    oldest when ``items`` come oldest first. Returns ``[(subset, alike)]``, ``alike`` the
    number of other subsets like it that were seen. A bounded search: it stops after
    ``max_nodes`` combinations and returns what it found, at most two (two are enough to
    know that the answer is not unique).
    """
    found = {}
    nodes = 0
    for size in range(2, min(max_size, len(items)) + 1):
        for combo in combinations(items, size):
            nodes += 1
            if nodes > max_nodes:
                return list(found.values())
            if sum(item.residual for item in combo) == amount:
                shape = tuple(sorted((item.partner_id, item.residual) for item in combo))
                if shape in found:
                    found[shape] = (found[shape][0], found[shape][1] + 1)
                    continue
                found[shape] = (combo, 0)
                if len(found) > 1:
                    return list(found.values())
    return list(found.values())


def fits(line, item, settings):
    """Whether ``item`` has the line's amount, or more by a difference that may be written off."""
    difference = item.residual - line.amount
    return difference == 0 or (settings.can_write_off and 0 < difference <= tolerance_for(item.residual, settings))


def explained(line, items, settings):
    """Whether an item among ``items`` fits the line's amount with evidence behind it: named
    in the text, or owed by the known payer. An amount alone is no evidence: where the text
    holds numbers, the matcher then also looks for the invoice one typo away."""
    keys = LineKeys.of(line.text)
    return any(fits(line, item, settings) and (
        (line.partner_id and item.partner_id == line.partner_id) or reference_signal(line, item, keys, fuzzy=False)[0])
        for item in items)


def propose(line, items, settings=Settings(), reserved=frozenset()):
    """Every proposal for ``line`` among its candidate ``items``, best first.

    ``reserved`` items are suggested for other payments: when the payer has several items
    alike, the oldest of the others is the one to guess.
    """
    if line.amount <= 0 or not items:
        return []
    keys = LineKeys.of(line.text)
    proposals = {}
    exact_counts = {}
    for item in items:
        exact_counts[item.partner_id] = exact_counts.get(item.partner_id, 0) + (item.residual == line.amount)
    exact_overall = sum(exact_counts.values())
    invoices = [item for item in items if item.residual > 0]
    signals = {item.id: reference_signal(line, item, keys, fuzzy=False) for item in invoices}
    # invoices named exactly that explain the amount make their neighbours' numbers noise;
    # named for another amount, the text may as well hold a typo of the one that fits
    named = [item for item in invoices if signals[item.id][0]]
    # several invoices named in the text (not with typos: a typo names one, in the amount)
    referenced = [(item, *signals[item.id]) for item in named if signals[item.id][0] >= NUMBER_REFERENCE]
    named_explain = any(fits(line, item, settings) for item in named)
    named_explain = named_explain or (len(named) > 1 and sum(item.residual for item in named) == line.amount)
    if not named_explain:
        for item in invoices:
            if fits(line, item, settings):
                signals[item.id] = reference_signal(line, item, keys)
    # a payer with several open items of exactly this amount (a subscription, say) pays the
    # oldest first: that one is the candidate, the others are not
    oldest_alike = {}
    for item in sorted(items, key=lambda i: (i.date, i.id)):
        if item.residual == line.amount and not named and item.id not in reserved:
            oldest_alike.setdefault(item.partner_id, item.id)
    for item in invoices:
        reference, reason = signals[item.id]
        partner_known = line.partner_id and line.partner_id == item.partner_id
        unique = exact_counts[item.partner_id] == 1 if partner_known or not line.partner_id else exact_overall == 1
        fifo = not unique and not reference and oldest_alike.get(item.partner_id) == item.id
        if fifo:
            reason = f"the oldest of the payer's {exact_counts[item.partner_id]} open items of this amount"
        # a typo of one reference while the text names another exactly: which did the payer mean?
        doubtful = bool(named) and reference and item not in named
        proposal = _proposal(line, [item], reference, reason, settings, unique or fifo,
                             amount_unique=exact_overall == 1 and not doubtful, nothing_fits=exact_overall == 0)
        if fifo:
            proposal = _oldest_first(proposal, line, item, settings)
        proposals[proposal.item_ids] = proposal

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
        own = sorted((item for item in items if item.partner_id == line.partner_id and item.id not in reserved),
                     key=lambda i: (i.date, i.id))
        own = own[: settings.max_subset_items]
        subsets = subsets_summing_to(own, line.amount, settings.max_subset_size, settings.max_subset_nodes)
        for n, (combo, alike) in enumerate(subsets):
            reason = f"{len(combo)} open items of the payer add up to the amount"
            if alike:
                reason += f" (the oldest of {alike + 1} such sets)"
            # the fewest items that explain the amount are the likelier answer: the search
            # goes by size, so a first set smaller than the second is the only one of its size
            unique = len(subsets) == 1 or (n == 0 and len(combo) < len(subsets[1][0]))
            proposal = _proposal(line, list(combo), 0.0, reason, settings, unique)
            if alike:
                proposal = _oldest_first(proposal, line, combo[0], settings)
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
