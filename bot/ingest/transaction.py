"""One ingest transaction, retried when PostgreSQL picks it as a deadlock victim.

Two replicas (or two request threads) storing batches about overlapping leads
can deadlock on the lead rows; PostgreSQL then aborts one transaction with
``40P01``. The whole batch was rolled back, so running it again is safe and
is what the sender would otherwise have to do after a 500.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.engine import session_scope

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 5
RETRYABLE = {"40P01", "40001"}
"""deadlock_detected, serialization_failure: the transaction did nothing and may be rerun."""


def retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def in_transaction(engine: Engine, work: Callable[[Session], T], *, what: str) -> T:
    """Run ``work`` in one transaction, again (up to ``ATTEMPTS``) if it was a deadlock victim."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except DBAPIError as error:
            if not retryable(error) or attempt == ATTEMPTS:
                raise
            state = getattr(error.orig, "sqlstate", None)
            log.info(
                "transaction rolled back by the database, retrying",
                extra={"what": what, "attempt": attempt, "sqlstate": state},
            )
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")
