"""The money columns of a sales-line file are converted a whole column at a time when they are
written the way exports write money ("1234.50"); that path must agree with the cell-by-cell
conversion on every cell it converts, and hand every other cell back."""

import re

from hypothesis import given
from hypothesis import strategies as st

from salescope.ledger.importing.columns import _fen, _two_decimals

plain = st.builds(
    lambda whole, cents: f"{whole}.{cents:02d}", st.integers(0, 10**12), st.integers(0, 99)
)
other = st.one_of(
    st.text(max_size=8),  # anything, line breaks included
    st.builds(str, st.integers(-1000, 1000)),
    st.builds(lambda x: f"{x:.3f}", st.floats(0, 1e6)),
    st.just(""),
    st.just(" 12.50"),
    st.just("=SUM(A1)"),
)
column = st.lists(st.one_of(plain, plain, plain, plain, plain, plain, other), max_size=60)


@given(column)
def test_column_path_agrees_with_cell_by_cell_conversion(values):
    fast = _two_decimals(values)
    if fast is None:  # not all text, a line break in a cell, or mostly other formats
        return
    fen, others = fast
    assert len(fen) == len(values)
    assert others == sorted(set(others))
    for i, cell in enumerate(values):
        if i in others:
            assert not re.fullmatch(r"\d+\.\d\d", cell)
        else:
            assert _fen(cell) == (fen[i], False)


def test_a_typical_column_takes_the_column_path_and_hands_back_the_odd_cells():
    values = ["85.00", "17.50", "0.05", "=SUM(A1)", "12.345", "", "-3.00"] + ["9.99"] * 30
    fen, others = _two_decimals(values)
    assert fen[:3] == [8500, 1750, 5]
    assert others == [3, 4, 5, 6]
    assert fen[7:] == [999] * 30
    assert _two_decimals(["1.00", 2]) is None  # an XLSX number: cell by cell


@given(st.integers(-(10**15), 10**15))
def test_quantities_read_back_as_plain_numbers(milli):
    # 14,500 units must reach exports and JSON as "14500", never as "1.45E+4".
    from decimal import Decimal

    from salescope.ledger.models import from_milli

    text = str(from_milli(milli))
    assert "E" not in text
    assert Decimal(text) * 1000 == milli
    assert text == "0" or not (text.endswith("0") and "." in text)
