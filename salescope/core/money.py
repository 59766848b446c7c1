"""Money: ``Decimal`` in the domain, integer minor units (fen) in fact and rollup tables.

SQLite stores ``DecimalField`` as floating point, so sums that must tie to the cent are taken
over integer fen and turned back into ``Decimal`` only for display and the API.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

CENT = Decimal("0.01")
FEN_PER_YUAN = 100


class InvalidAmount(ValueError):
    pass


def parse_amount(raw: str | int | Decimal) -> Decimal:
    """Parse ``"1,234.50"``, ``"¥1234.5"`` or ``"1 234,00"``-free text into a Decimal.

    Thousands separators (comma, thin or full-width space) and a leading ¥/￥ are accepted;
    anything else that is not a finite number raises :class:`InvalidAmount`.
    """
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        text = str(raw).strip().lstrip("¥￥").replace(",", "").replace("，", "")
        text = text.replace(" ", "").replace("\u2009", "").replace("\u3000", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(f"{raw!r} is not an amount") from None
    if not value.is_finite():
        raise InvalidAmount(f"{raw!r} is not a finite amount")
    return value


def quantize_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent, as Chinese invoices do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(value: Decimal | str | int) -> int:
    return int(quantize_cents(parse_amount(value)) * FEN_PER_YUAN)


def from_fen(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / FEN_PER_YUAN).quantize(CENT)


def grouped(value: Decimal | str | int) -> str:
    """An amount to the cent with thousands separators, as pages show it: "-1,889,187.03"."""
    return f"{Decimal(value).quantize(CENT):,}"


def currency() -> str:
    return settings.SALESCOPE_CURRENCY
