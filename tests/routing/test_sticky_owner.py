"""The SDR who claims a lead of an unowned account becomes its owner; the next lead is theirs."""

from __future__ import annotations

from bot.alerts.alert_view import CLAIM
from tests.alerts.conftest import Sdr, ingest
from tests.routing.conftest import account, use_routing
from tests.support.events import hot_lead, lead_created

EMEA = """\
  - when: {field: region, in: [EMEA]}
    channel: C0EMEA
    assignees: [U01, U02]
    owner_claims: OWNS
  - channel: C0SDR
"""


def test_a_claim_makes_the_claimer_owner_and_the_next_lead_goes_to_them(sdr: Sdr) -> None:
    alert = sdr.hot_alert(hot_lead("ana@acme.io", region="EMEA"))
    assert alert.assignee == "U01"
    sdr.click(alert, CLAIM, user_id="U02")
    sdr.emulator.wait_for("chat.update")
    owned = account(sdr.services, "acme.io")
    assert (owned.owner_id, owned.owner_source) == ("U02", "claim")

    following = sdr.hot_alert(hot_lead("bo@acme.io", region="EMEA"))
    assert (following.channel, following.assignee) == ("C0EMEA", "U02")
    assert (following.routing or {})["via"] == "owner"
    message = sdr.message(following)
    assert "For <@U02>, owner of acme.io" in str(message["blocks"])


def test_a_claim_never_replaces_an_owner_the_crm_named(sdr: Sdr) -> None:
    ingest(sdr.services, lead_created("ana@acme.io", owner="U07"))
    alert = sdr.hot_alert(hot_lead("bo@acme.io", region="EMEA"))
    assert alert.assignee == "U07"
    sdr.click(alert, CLAIM, user_id="U02")
    sdr.emulator.wait_for("chat.update")
    assert account(sdr.services, "acme.io").owner_id == "U07"


def test_owner_claims_false_keeps_claims_from_owning(sdr: Sdr) -> None:
    use_routing(sdr.services, EMEA.replace("OWNS", "false"))
    alert = sdr.hot_alert(hot_lead("ana@acme.io", region="EMEA"))
    sdr.click(alert, CLAIM, user_id="U02")
    sdr.emulator.wait_for("chat.update")
    assert account(sdr.services, "acme.io").owner_id is None
