"""Every lead belongs to an account; a hot lead of an owned account goes to its owner."""

from __future__ import annotations

from freezegun import freeze_time

from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.reps import set_away
from tests.alerts.conftest import ingest
from tests.routing.conftest import account, hot, use_routing
from tests.support.events import lead_created

ROTATION = """\
  - channel: C0SDR
    assignees: [U01, U02]
"""


def account_of(services: Services, email: str) -> str | None:
    with session_scope(services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        assert lead is not None
        if lead.account_id is None:
            return None
        from storage.models import Account

        found = session.get(Account, lead.account_id)
        return found.key if found else None


@freeze_time("2026-11-25T12:00:00Z")
def test_leads_get_their_company_account_and_the_crm_may_name_one(services: Services) -> None:
    ingest(
        services,
        lead_created("ana@eu.acme.io"),
        lead_created("bo@acme.io"),
        lead_created("cy@gmail.com"),
        lead_created("dee@gmail.com", account="0015G00000Globex"),
    )
    assert account_of(services, "ana@eu.acme.io") == "acme.io"
    assert account_of(services, "bo@acme.io") == "acme.io"
    assert account_of(services, "cy@gmail.com") is None
    assert account_of(services, "dee@gmail.com") == "0015G00000Globex"


@freeze_time("2026-11-25T12:00:00Z")
def test_a_hot_lead_of_an_owned_account_goes_to_the_owner(services: Services) -> None:
    use_routing(services, ROTATION)
    ingest(services, lead_created("ana@acme.io", owner="U09"))
    assert account(services, "acme.io").owner_id == "U09"
    channel, assignee, routing = hot(services, "bo@acme.io")
    assert (channel, assignee) == ("C0SDR", "U09")
    assert routing == {"account": "acme.io", "owner": "U09", "via": "owner"}
    assert hot(services, "cy@other.io")[1] == "U01"  # no owner: the rotation, untouched


@freeze_time("2026-11-25T12:00:00Z")
def test_an_away_owner_falls_back_to_the_rotation_and_says_why(services: Services) -> None:
    use_routing(services, ROTATION)
    ingest(services, lead_created("ana@acme.io", owner="U09"))
    with session_scope(services.engine) as session:
        set_away(session=session, user_id="U09", since=services.clock(), until=None)
    _, assignee, routing = hot(services, "bo@acme.io")
    assert assignee == "U01"
    assert routing["owner_unavailable"] == "away"
    assert routing["via"] == "rotation"
