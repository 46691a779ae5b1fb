"""MT940 statements written for tests: one statement over several messages (pages)."""

from __future__ import annotations


def page_split_mt940(account: str, currency: str, opening: int, amounts: list[int], number: int = 7,
                     closing_off: int = 0) -> str:
    """Statement ``number`` with one entry per message (``:28C:7/1``, ``7/2``...), the balances
    carried from page to page; ``closing_off`` is added to the last closing balance (a bank that
    prints another day's)."""
    pages, balance, last = [], opening, len(amounts)
    for page, amount in enumerate(amounts, 1):
        start, balance = balance, balance + amount
        closing = balance + (closing_off if page == last else 0)
        pages.append(f":20:PAGE-{page}\n:25:{account}\n:28C:{number}/{page}\n"
                     f":60{'F' if page == 1 else 'M'}:C261121{currency}{start},00\n"
                     f":61:2611211121{'C' if amount > 0 else 'D'}{abs(amount)},00NTRFNONREF//PAGE-{page}\n"
                     f":86:page {page}\n:62{'F' if page == last else 'M'}:C261121{currency}{closing},00\n-\n")
    return "".join(pages)
