"""The batch helpers of the sales-line import: the column-wise shortcuts must give what a
row-by-row check gives (R12: every duplicate reported against its first line)."""

from hypothesis import given
from hypothesis import strategies as st

from salescope.ledger.importing.sales_lines import _drop_rows, _first_sightings

batches = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=8), max_size=6)


@given(batches)
def test_duplicates_are_found_as_a_row_by_row_check_finds_them(batches):
    seen: dict[str, int] = {}
    naive: dict[str, int] = {}
    line = 1
    for keys in batches:
        lines = list(range(line + 1, line + 1 + len(keys)))
        line += len(keys)
        expected = {}
        for i, (key, number) in enumerate(zip(keys, lines, strict=True)):
            first = naive.setdefault(key, number)
            if first != number:
                expected[i] = first
        assert _first_sightings(seen, keys, lines) == expected
    assert seen == naive


@given(st.lists(st.integers(), max_size=12), st.data())
def test_dropped_rows_leave_the_others_in_order_in_every_column(values, data):
    drop = data.draw(st.sets(st.integers(0, max(len(values) - 1, 0))) if values else st.just(set()))
    columns = [values, [str(v) for v in values]]
    kept = [i for i in range(len(values)) if i not in drop]
    assert _drop_rows(columns, drop) == [[values[i] for i in kept], [str(values[i]) for i in kept]]
