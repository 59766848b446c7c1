"""Spreadsheet formulas in imported text (R12/R23): a cell a spreadsheet would run is refused."""

import re

_NUMBER_OR_PHONE = re.compile(r"[+-][0-9 ()+\-./]*")


def looks_like_formula(text: str) -> bool:
    """Starting with = or @, or with + or - unless the rest is a number or phone number
    (digits, spaces, ``()+-./``), like ``+86 (21) 5555-1234`` or ``-5``."""
    if text[:1] in {"=", "@"}:
        return True
    return text[:1] in {"+", "-"} and _NUMBER_OR_PHONE.fullmatch(text) is None
