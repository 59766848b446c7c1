"""Cell parsers for imports: dates, money (to fen) and quantities (to thousandths).

Each raises ``CellError`` with a reason a person can act on. Dates are cached per text, as a
daily file repeats the same few dates hundreds of thousands of times.
"""

import contextlib
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.core.money import InvalidAmount, parse_amount

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100
_ONE = Decimal(1)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_XY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


class CellError(ValueError):
    """A cell that cannot be used; the message is the reason shown in the error report."""


def _checked(year: int, month: int, day: int) -> dt.date:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise CellError(_("not a calendar date")) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellError(_("date out of range"))
    return value


class DateParser:
    """ISO, YYYY/M/D, YYYY年M月D日, YYYYMMDD, M/D/YYYY (or D/M/YYYY with ``order="dmy"``),
    Excel serial numbers, or an explicit ``strptime`` pattern."""

    NAMED = ("auto", "mdy", "dmy")

    def __init__(self, date_format: str = "auto") -> None:
        self.date_format = (date_format or "auto").strip()
        self.cache: dict[Any, dt.date] = {}
        check_date_format(self.date_format)

    def __call__(self, raw: Any) -> dt.date:
        try:
            return self.cache[raw]
        except (KeyError, TypeError):
            pass
        value = self._parse(raw)
        with contextlib.suppress(TypeError):
            self.cache[raw] = value
        return value

    def _parse(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            return _checked(raw.year, raw.month, raw.day)
        if isinstance(raw, dt.date):
            return _checked(raw.year, raw.month, raw.day)
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            return self._serial(float(raw))
        text = str(raw or "").strip()
        if not text:
            raise CellError(_("date is missing"))
        if "%" in self.date_format:
            try:
                parsed = dt.datetime.strptime(text, self.date_format)  # noqa: DTZ007 - a date
            except ValueError:
                # An XLSX date cell reaches here as ISO text; ISO is never ambiguous.
                match = _ISO.match(text)
                if match is None:
                    raise CellError(_("date does not match %s") % self.date_format) from None
                return _checked(*(int(g) for g in match.groups()[:3]))
            return _checked(parsed.year, parsed.month, parsed.day)
        for pattern in (_ISO, _YMD, _COMPACT):
            match = pattern.match(text)
            if match:
                year, month, day = (int(g) for g in match.groups()[:3])
                return _checked(year, month, day)
        match = _XY.match(text)
        if match:
            first, second, year = (int(g) for g in match.groups())
            if self.date_format.lower() == "dmy":
                return _checked(year, second, first)
            return _checked(year, first, second)
        if _SERIAL.match(text):
            return self._serial(float(text))
        raise CellError(_("not a date"))

    @staticmethod
    def _serial(number: float) -> dt.date:
        if not 20000 <= number <= 80000:
            raise CellError(_("not a date"))
        return EXCEL_EPOCH + dt.timedelta(days=int(number))


def check_date_format(date_format: str) -> None:
    """Refuse a date format the parser would not use (it would silently read dates as "auto"):
    one of auto, mdy, dmy, or a strptime pattern that reads back a date it wrote."""
    text = (date_format or "auto").strip()
    if text.lower() in DateParser.NAMED:
        return
    sample = dt.date(2024, 11, 23)
    ok = "%" in text
    if ok:
        try:
            parsed = dt.datetime.strptime(sample.strftime(text), text)  # noqa: DTZ007 - a date
        except ValueError:
            ok = False
        else:
            ok = parsed.date() == sample
    if not ok:
        raise ValidationFailed(
            _("Unknown date format %(format)s.") % {"format": text},
            fields={"date_format": [_("Use auto, mdy, dmy or a pattern such as %Y/%m/%d.")]},
        )


def to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, bool):
        raise CellError(_("not a number"))
    elif isinstance(raw, int):
        return Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip()
        if not text:
            raise CellError(_("not a number"))
        if text[:1] in {"=", "+", "@"} and not text[1:2].isdigit():
            raise CellError(_("formula or text where a number is expected"))
        try:
            value = Decimal(text)
        except InvalidOperation:
            try:
                value = parse_amount(text)
            except InvalidAmount:
                raise CellError(_("not a number")) from None
    if not value.is_finite():
        raise CellError(_("not a number"))
    return value


def scaled(raw: Any, places: int) -> tuple[int, bool]:
    """``raw`` in units of 10**-places, rounded half-up; and whether it had to be rounded."""
    value = to_decimal(raw)
    exponent = value.as_tuple().exponent
    shifted = value.scaleb(places)
    if isinstance(exponent, int) and exponent >= -places:
        return int(shifted), False
    return int(shifted.quantize(_ONE, rounding=ROUND_HALF_UP)), True


def is_blank(raw: Any) -> bool:
    return raw is None or raw == "" or (raw.__class__ is str and not raw.strip())
