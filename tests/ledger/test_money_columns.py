"""The money and quantity columns of a sales-line file are converted in polars where a cell is
written plainly ("1234.50", "12") and cell by cell otherwise; both must give exactly what the
cell-by-cell conversion gives, with the same reasons and the same rounded cells."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from salescope.core.importing.parse import CellError
from salescope.ledger.importing.columns import (
    _PLAIN_MONEY,
    _PLAIN_WHOLE,
    _fen,
    _milli,
    scaled_column,
)

plain = st.builds(
    lambda whole, cents: f"{whole}.{cents:02d}", st.integers(0, 10**12), st.integers(0, 99)
)
other = st.one_of(
    st.text(max_size=8),  # anything, line breaks included
    st.builds(str, st.integers(-1000, 1000)),
    st.builds(lambda x: f"{x:.3f}", st.floats(0, 1e6)),
    st.builds(lambda x: f"{x}.5", st.integers(0, 10**14)),
    st.just(""),
    st.just(" 12.50"),
    st.just("=SUM(A1)"),
    st.just("1e30"),
    st.just("１２"),  # full-width digits
)
column = st.lists(st.one_of(plain, plain, plain, plain, plain, plain, other), max_size=60)


def cell_by_cell(values, convert):
    expected = []
    for cell in values:
        try:
            converted = convert(cell)
        except CellError as exc:
            expected.append((None, str(exc), False))
            continue
        if converted is None:
            expected.append((None, None, False))
        else:
            expected.append((converted[0], None, converted[1]))
    return expected


@given(column)
def test_money_column_agrees_with_cell_by_cell_conversion(values):
    fen, reasons, rounded = scaled_column(pl.Series(values, dtype=pl.String), _fen, _PLAIN_MONEY, 2)
    got = list(zip(fen.to_list(), reasons.to_list(), rounded.to_list(), strict=True))
    assert got == cell_by_cell(values, _fen)


@given(st.lists(st.one_of(st.builds(str, st.integers(0, 10**12)), other), max_size=60))
def test_quantity_column_agrees_with_cell_by_cell_conversion(values):
    milli, reasons, rounded = scaled_column(
        pl.Series(values, dtype=pl.String), _milli, _PLAIN_WHOLE, 3
    )
    got = list(zip(milli.to_list(), reasons.to_list(), rounded.to_list(), strict=True))
    assert got == cell_by_cell(values, _milli)


def test_a_typical_column_converts_plain_cells_and_reports_the_odd_ones():
    values = ["85.00", "17.50", "0.05", "=SUM(A1)", "12.345", "", "-3.00", "1e30"]
    fen, reasons, rounded = scaled_column(pl.Series(values), _fen, _PLAIN_MONEY, 2)
    assert fen.to_list() == [8500, 1750, 5, None, 1235, None, -300, None]
    assert reasons.to_list()[3] == "formula or text where a number is expected"
    assert reasons.to_list()[7] == "number too large"
    assert rounded.to_list() == [False, False, False, False, True, False, False, False]


@given(st.integers(-(10**15), 10**15))
def test_quantities_read_back_as_plain_numbers(milli):
    # 14,500 units must reach exports and JSON as "14500", never as "1.45E+4".
    from decimal import Decimal

    from salescope.ledger.models import from_milli

    text = str(from_milli(milli))
    assert "E" not in text
    assert Decimal(text) * 1000 == milli
    assert text == "0" or not (text.endswith("0") and "." in text)
