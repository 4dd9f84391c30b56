"""Garbage-collector settings for runs that allocate many short-lived objects.

Almost everything the ingest path allocates is freed by reference counting;
the cyclic collector only finds work in passes that rescan every object the
process holds (modules, SQLAlchemy and pydantic machinery, the parsed rule
set), and they come every few thousand rows of an import. Two standard
settings keep it out of the way:

- objects alive before the run are frozen out of every later pass
  (``gc.freeze``);
- young passes run every 10,000 new container objects instead of 700, so a
  500-event batch is not interrupted dozens of times for nothing.

What it saves is in README.md ("Garbage collection in ``serve``").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000


def settle_startup_heap() -> None:
    """For ``serve``: collect once, freeze what is left for good, make young passes rarer."""
    gc.collect()
    _quieten()


@contextmanager
def collector_for_bulk() -> Iterator[None]:
    """For an import: the same settings while it runs, put back afterwards."""
    thresholds = gc.get_threshold()
    _quieten()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _quieten() -> None:
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), middle, old)
