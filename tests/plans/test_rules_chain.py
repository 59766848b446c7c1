"""Chained decomposition as one pure function (``rules.split_tree``): any chain of steps, any
locks, the leaves sum exactly to the root and locked cells keep their value."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from salescope.plans import rules

# Pure arithmetic: on the shared machine input generation alone can be slow; no deadline.
CHAIN_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def chains(draw):
    """A tree as a decomposition chain makes it: each step splits every cell of the level above
    into 1–4 parts (a fan-out per cell), 1–4 steps deep, with non-negative weights."""
    parents = [-1]
    level = [0]
    for _step in range(draw(st.integers(1, 4))):
        next_level = []
        for cell in level:
            for _part in range(draw(st.integers(1, 4))):
                parents.append(cell)
                next_level.append(len(parents) - 1)
        level = next_level
    weights = [draw(st.integers(0, 50)) for _ in parents]
    return parents, weights


def _leaves(parents):
    has_children = set(parents)
    return [i for i in range(len(parents)) if i not in has_children]


def _sums_hold(parents, values):
    totals = {}
    for i in range(1, len(parents)):
        totals[parents[i]] = totals.get(parents[i], 0) + values[i]
    return all(values[p] == s for p, s in totals.items())


@given(chains(), st.integers(0, 10**12), st.sampled_from([1, 100]))
@CHAIN_SETTINGS
def test_any_chain_sums_exactly_to_the_root(tree, total, quantum):
    parents, weights = tree
    values = rules.split_tree(total, parents, weights, quantum=quantum)
    assert values[0] == total
    assert sum(values[i] for i in _leaves(parents)) == total
    assert _sums_hold(parents, values)
    assert all(v >= 0 for v in values)


@given(chains(), st.integers(0, 10**9), st.data())
@CHAIN_SETTINGS
def test_any_locks_are_kept_and_the_leaves_still_sum_to_the_root(tree, total, data):
    parents, weights = tree
    nodes = list(range(1, len(parents)))
    chosen = data.draw(st.lists(st.sampled_from(nodes), unique=True, max_size=4))
    locked = {i: data.draw(st.integers(0, 10**6)) for i in chosen}
    try:
        values = rules.split_tree(total, parents, weights, locked=locked)
    except rules.InfeasibleAllocation:
        # Only when the locks cannot hold: a cell's locks (at or below its children) exceed it.
        assume(False)
    assert all(values[i] == v for i, v in locked.items())
    assert values[0] == total
    assert sum(values[i] for i in _leaves(parents)) == total
    assert _sums_hold(parents, values)
    assert all(v >= 0 for v in values)


@given(chains(), st.integers(10**7, 10**9), st.data())
@CHAIN_SETTINGS
def test_locks_well_inside_the_total_always_hold(tree, total, data):
    """Locks on the finest cells that together are less than the total always hold while one
    cell is free: the cells above reserve what is locked below them, and a cell whose parts
    are all locked is held at their sum."""
    parents, weights = tree
    leaves = _leaves(parents)
    chosen = data.draw(st.lists(st.sampled_from(leaves), unique=True, max_size=5))
    assume(len(chosen) < len(leaves))  # one free cell at least absorbs the rest
    locked = {i: data.draw(st.integers(0, total // 10)) for i in chosen}
    values = rules.split_tree(total, parents, weights, locked=locked)
    assert all(values[i] == v for i, v in locked.items())
    assert sum(values[i] for i in leaves) == total


def test_the_same_input_always_gives_the_same_split():
    parents = [-1, 0, 0, 0, 1, 1, 2, 2, 3, 3]
    weights = [1, 1, 2, 3, 1, 1, 1, 1, 1, 1]
    first = rules.split_tree(1_000_01, parents, weights)
    assert first == rules.split_tree(1_000_01, parents, weights)
    assert first[1:4] == [166_67, 333_34, 500_00]  # the largest remainders get the 2 fen


def test_a_lock_deep_in_the_chain_is_reserved_by_the_cells_above_it():
    # root → 2 regions (equal) → 2 people each; one person locked at 90 of 100.
    parents = [-1, 0, 0, 1, 1, 2, 2]
    values = rules.split_tree(100, parents, [1] * 7, locked={3: 90})
    assert values[3] == 90
    assert values[1] >= 90  # the region keeps room for the lock below it
    assert values[1] + values[2] == 100
    assert values[3] + values[4] == values[1]


def test_locks_that_exceed_the_root_are_infeasible():
    with pytest.raises(rules.InfeasibleAllocation):
        rules.split_tree(100, [-1, 0, 0, 1, 2], [1] * 5, locked={3: 60, 4: 60})


def test_a_level_is_copied_down_the_chain_and_locked_parts_keep_theirs():
    values = rules.split_tree(18_00, [-1, 0, 0, 1, 2], [1] * 5, locked={2: 15_00}, additive=False)
    assert values == [18_00, 18_00, 15_00, 18_00, 15_00]


def test_a_badly_ordered_tree_is_refused():
    with pytest.raises(ValueError, match="after its parent"):
        rules.split_tree(10, [-1, 2, 0], [1, 1, 1])
