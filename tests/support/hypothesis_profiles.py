"""Hypothesis profiles: how hard property and fuzz tests search, by ``HYPOTHESIS_PROFILE``.

``dev`` (the default) keeps a local run quick; ``ci`` is what ``.ci/run``
uses and what the fuzz modules' docstrings count (ten thousand bodies at
``/ingest``); ``thorough`` searches ten times longer, for a hunt before a
release. No profile has a deadline: a loaded machine makes an example slow,
not wrong.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

CI_EXAMPLES = 100
PROFILES = {"dev": 25, "ci": CI_EXAMPLES, "thorough": 1_000}


def load_profile() -> str:
    """Register the profiles and load the one ``HYPOTHESIS_PROFILE`` names."""
    for name, examples in PROFILES.items():
        settings.register_profile(
            name, max_examples=examples, deadline=None, print_blob=name != "dev"
        )
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "dev")
    if chosen not in PROFILES:
        raise pytest.UsageError(f"HYPOTHESIS_PROFILE={chosen!r}: use one of {', '.join(PROFILES)}")
    settings.load_profile(chosen)
    return chosen


def examples(at_ci: int) -> int:
    """A test's example count under the loaded profile: ``at_ci`` under ``ci``."""
    return max(min(at_ci, 10), at_ci * settings.default.max_examples // CI_EXAMPLES)
