"""The server keeps the garbage collector off the objects it built at start-up."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.heap import YOUNG_THRESHOLD, collector_for_bulk, settle_startup_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def _scanned(thing: object) -> bool:
    """Whether the collector's passes still look at ``thing``."""
    return any(candidate is thing for candidate in gc.get_objects())


@pytest.mark.usefixtures("restored_collector")
def test_start_up_objects_leave_the_collectors_passes_and_later_ones_stay() -> None:
    built_at_start_up = ["stands for the app's own objects"]
    assert _scanned(built_at_start_up)
    settle_startup_heap()
    allocated_by_a_request = ["per-request garbage"]
    assert not _scanned(built_at_start_up)
    assert _scanned(allocated_by_a_request)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


@pytest.mark.usefixtures("restored_collector")
def test_an_import_quietens_the_collector_only_while_it_runs() -> None:
    before = gc.get_threshold()
    older = ["built before the import"]
    with collector_for_bulk():
        assert not _scanned(older)
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert _scanned(older)
    assert gc.get_threshold() == before
