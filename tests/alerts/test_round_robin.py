"""Hot leads are handed to a route's SDRs in turn, however many turn hot in one batch."""

from __future__ import annotations

import logging

import pytest
from freezegun import freeze_time

from bot.rules_admin import apply_rules
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Alert
from tests.alerts.conftest import alert_row, all_alerts, ingest
from tests.conftest import FIXTURES
from tests.support.events import hot_lead, lead_created

ROUTING = """\
routing:
  - when: {field: region, in: [EMEA]}
    channel: C0EMEA
    assignees: [U01, U02, U03]
  - when: {field: region, in: [AMER]}
    channel: C0AMER
    assignees: [U11, U12]
  - channel: C0SDR
"""


def use_routing(services: Services, routing: str) -> None:
    """The test rule set with its routing section replaced."""
    head, _, tail = (FIXTURES / "rules.yml").read_text().partition("routing:")
    text = head + routing + tail[tail.index("sla_minutes") :]
    apply_rules(services, text=text, applied_by="tests")


def hot(services: Services, *regions: str, batch: str) -> list[tuple[str, str | None]]:
    """One batch in which a lead per region turns hot; where each alert went, in order."""
    events = [hot_lead(f"{batch}{i}@acme.io", region=r) for i, r in enumerate(regions)]
    alerts = [alert_row(services, alert_id) for alert_id in ingest(services, *events)]
    return [(alert.channel, alert.assignee) for alert in alerts]


@freeze_time("2026-11-25T12:00:00Z")
def test_leads_turning_hot_together_take_turns_where_the_last_batch_stopped(
    services: Services,
) -> None:
    use_routing(services, ROUTING)
    assert hot(services, "EMEA", "EMEA", batch="a") == [("C0EMEA", "U01"), ("C0EMEA", "U02")]
    assert hot(services, *["EMEA"] * 4, batch="b") == [
        ("C0EMEA", "U03"),
        ("C0EMEA", "U01"),
        ("C0EMEA", "U02"),
        ("C0EMEA", "U03"),
    ]
    assert hot(services, "EMEA", batch="c") == [("C0EMEA", "U01")]


@freeze_time("2026-11-25T12:00:00Z")
def test_two_routes_in_one_batch_each_keep_their_own_rotation(services: Services) -> None:
    use_routing(services, ROUTING)
    assert hot(services, "EMEA", batch="a") == [("C0EMEA", "U01")]
    regions = ("EMEA", "AMER", "EMEA", "AMER", "APAC", "AMER", "EMEA", "EMEA")
    assert hot(services, *regions, batch="b") == [
        ("C0EMEA", "U02"),
        ("C0AMER", "U11"),
        ("C0EMEA", "U03"),
        ("C0AMER", "U12"),
        ("C0SDR", None),
        ("C0AMER", "U11"),
        ("C0EMEA", "U01"),
        ("C0EMEA", "U02"),
    ]


@freeze_time("2026-11-25T12:00:00Z")
def test_each_alert_id_names_the_lead_that_turned_hot_in_that_place(services: Services) -> None:
    use_routing(services, ROUTING)
    ingest(services, hot_lead("first@acme.io", region="EMEA"))  # an alert already stored
    ingest(services, *[lead_created(f"{name}@acme.io") for name in ("ann", "bob", "cid")])
    order = [("cid", "EMEA"), ("ann", "AMER"), ("bob", "EMEA")]  # not the leads' id order
    alert_ids = ingest(services, *[hot_lead(f"{n}@acme.io", region=r) for n, r in order])

    with session_scope(services.engine) as session:
        lead_ids = {
            name: lead_by_email(session=session, email=f"{name}@acme.io").id  # type: ignore[union-attr]
            for name, _ in order
        }
    alerts = [alert_row(services, alert_id) for alert_id in alert_ids]
    assert [(a.lead_id, a.channel, a.assignee) for a in alerts] == [
        (lead_ids["cid"], "C0EMEA", "U02"),
        (lead_ids["ann"], "C0AMER", "U11"),
        (lead_ids["bob"], "C0EMEA", "U03"),
    ]
    assert [a.alert_key for a in alerts] == [f"lead-{lead_ids[n]}-cycle-1" for n, _ in order]
    assert [a.id for a in all_alerts(services)][1:] == alert_ids


@freeze_time("2026-11-25T12:00:00Z")
def test_a_hot_lead_with_no_route_is_logged_and_not_alerted(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    use_routing(services, "routing: []\n")
    with caplog.at_level(logging.WARNING, logger="bot.ingest.queueing"):
        assert ingest(services, hot_lead("ana@acme.io"), hot_lead("bob@acme.io")) == []
    with session_scope(services.engine) as session:
        assert session.get(Alert, 1) is None
    warned = [r.getMessage() for r in caplog.records if "no routing rule" in r.getMessage()]
    assert len(warned) == 2
