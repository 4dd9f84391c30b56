"""Opening the App Home shows my claimed leads, unclaimed hot leads and the rules version."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Alert
from tests.slash_command.conftest import NOW, SlackUser, texts
from tests.support.events import hot_lead, lead_created


def test_home_tab_lists_my_claims_and_the_hot_leads_waiting(slack: SlackUser) -> None:
    slack.ingest(
        hot_lead("ana@acme.io", name="Ana Ruiz"),
        hot_lead("bo@acme.io", name="Bo Li"),
        hot_lead("cy@acme.io", name="Cy Ng"),
        lead_created("cold@gamma.io", name="Cold Call"),
    )
    with session_scope(slack.services.engine) as session:
        for email, user in (("ana@acme.io", "U01"), ("cy@acme.io", "U02")):
            lead = lead_by_email(session=session, email=email)
            assert lead is not None
            session.execute(
                update(Alert)
                .where(Alert.lead_id == lead.id)  # type: ignore[arg-type]
                .values(claimed_by=user, claimed_at=NOW - timedelta(hours=2))
            )
    response = slack.event(
        {
            "type": "app_home_opened",
            "user": "U01",
            "channel": "D01",
            "tab": "home",
            "event_ts": "1.1",
        }
    )
    assert response.status_code == 200
    [publish] = slack.emulator.wait_for("views.publish")
    assert publish.params["user_id"] == "U01"
    assert publish.response is not None and publish.response["ok"] is True
    view = publish.params["view"]
    assert view["type"] == "home"
    shown = texts(view)
    mine, waiting = shown.split("Hot leads waiting for a claim")
    assert "Ana Ruiz" in mine and "claimed 2 h ago" in mine
    assert "Bo Li" not in mine and "Cy Ng" not in mine
    assert "Bo Li" in waiting
    assert "Cy Ng" not in waiting  # claimed by someone else
    assert "Cold Call" not in shown
    assert "Rule set “default” v1" in shown
