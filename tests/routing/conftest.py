"""Routing scenarios: a rule file with hours, capacity and weights, reps in the emulator."""

from __future__ import annotations

from typing import Any

from bot.rules_admin import apply_rules
from bot.services import Services
from storage.accounts import account_by_key
from storage.engine import session_scope
from storage.models import Account
from tests.alerts.conftest import alert_row, ingest, sdr  # noqa: F401 (fixture)
from tests.conftest import FIXTURES
from tests.slash_command.conftest import slack  # noqa: F401 (fixture)
from tests.support.events import hot_lead


def use_routing(services: Services, routing: str, *, extra: str = "") -> None:
    """The test rule set with its routing section replaced (and ``extra`` top-level keys)."""
    head, _, tail = (FIXTURES / "rules.yml").read_text().partition("routing:")
    text = head + "routing:\n" + routing + tail[tail.index("sla_minutes") :] + extra
    apply_rules(services, text=text, applied_by="tests")


def hot(services: Services, email: str, **lead: Any) -> tuple[str, str | None, dict[str, Any]]:
    """A lead turns hot: its alert's channel, assignee and routing story."""
    (alert_id,) = ingest(services, hot_lead(email, **lead))
    alert = alert_row(services, alert_id)
    return alert.channel, alert.assignee, alert.routing or {}


def account(services: Services, key: str) -> Account:
    with session_scope(services.engine) as session:
        found = account_by_key(session=session, key=key)
    assert found is not None, f"no account {key}"
    return found
