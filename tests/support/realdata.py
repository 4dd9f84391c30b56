"""Real data sets from ``../shared/data``: skipped with a reason locally, required in CI.

The data is not part of the repository (its licence is unknown, see its
SOURCE.md), so a developer without it still gets a green run; CI has it, and
a missing file there must fail rather than silently skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.databases import in_ci

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
X_EDUCATION = SHARED_DATA / "x-education-leads" / "Leads.csv"


def require_file(path: Path) -> Path:
    """``path`` if it exists; otherwise skip (locally) or fail (when CI=true)."""
    if path.is_file():
        return path
    reason = f"real data not found: {path} (see ../shared/data)"
    if in_ci():
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


def x_education_csv() -> Path:
    """The X Education Leads.csv (9,240 leads, 38.5% converted)."""
    return require_file(X_EDUCATION)


UCI_BANK = SHARED_DATA / "uci-bank-marketing" / "bank-full.csv"
OLIST = SHARED_DATA / "olist-marketing-funnel"


def bank_full_csv() -> Path:
    """UCI Bank Marketing bank-full.csv (45,211 calls, 5,289 subscribed; no id column)."""
    return require_file(UCI_BANK)


def olist_leads_csv() -> Path:
    """Olist's 8,000 MQLs; the 842 won ones are in olist_closed_deals_dataset.csv beside it."""
    require_file(OLIST / "olist_closed_deals_dataset.csv")
    return require_file(OLIST / "olist_marketing_qualified_leads_dataset.csv")
