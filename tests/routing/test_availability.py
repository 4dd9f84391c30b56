"""The rotation skips whoever is away, out of hours in their own time zone, or at capacity."""

from __future__ import annotations

from freezegun import freeze_time

from bot.alerts import deliver_due
from bot.routing.directory import refresh_directory
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from tests.alerts.conftest import posts_to
from tests.routing.conftest import hot, use_routing
from tests.slash_command.conftest import NOW, SlackUser

TWO_REPS = """\
  - channel: C0SDR
    assignees: [U01, U02]
"""
OFFICE_HOURS = """\
  - channel: C0SDR
    assignees: [U01, U02]
    hours: "09:00-18:00"
    days: [mon, tue, wed, thu, fri]
"""


def test_an_away_rep_is_skipped_until_they_are_back(slack: SlackUser) -> None:
    services = slack.services
    use_routing(services, TWO_REPS)
    slack.emulator.set_user("U01", tz="Europe/Paris")
    answer = slack.command("away until 2026-12-03", user_id="U01")
    assert "away until 2026-12-03" in answer["text"]

    at = NOW.isoformat()
    _, assignee, routing = hot(services, "ana@a.io", at=at)
    assert assignee == "U02"
    assert routing["skipped"] == [["U01", "away until 2026-12-03"]]

    assert "Welcome back" in slack.command("back", user_id="U01")["text"]
    _, _, routing = hot(services, "bo@b.io", at=at)
    assert routing["skipped"] == []


def test_hours_are_read_in_each_reps_own_time_zone(
    services: Services, emulator: SlackEmulator
) -> None:
    use_routing(services, OFFICE_HOURS)
    emulator.set_user("U01", tz="America/New_York")
    emulator.set_user("U02", tz="Europe/Berlin")
    with freeze_time("2026-11-25T12:00:00Z"):  # a Wednesday
        assert refresh_directory(services) == 2
        assert refresh_directory(services) == 0, "time zones are cached"
    with freeze_time("2026-11-25T16:00:00Z"):  # New York 11:00, Berlin 17:00
        assert hot(services, "a@a.io")[1] == "U01"
        assert hot(services, "b@b.io")[1] == "U02"
    with freeze_time("2026-11-25T18:30:00Z"):  # New York 13:30, Berlin 19:30
        assert hot(services, "c@c.io")[1] == "U01"
        _, assignee, routing = hot(services, "d@d.io")  # U02's turn, but Berlin has gone home
        assert assignee == "U01"
        assert routing["skipped"] == [["U02", "out of hours (09:00-18:00 Europe/Berlin)"]]
    with freeze_time("2026-11-25T23:30:00Z"):  # New York 18:30, Berlin 00:30 Thursday
        (alert_id,) = [hot(services, "e@e.io")]
        assert alert_id[1] is None
        assert alert_id[2]["via"] == "nobody"
        deliver_due(services)
    (post,) = [p for p in posts_to(emulator, "C0SDR") if "e@e.io" in p["text"]]
    assert post["text"].startswith("<!here> ")
    assert "<!here> nobody is available: <@U01> out of hours" in str(post["blocks"])


def test_a_rule_time_zone_overrides_the_reps_own(
    services: Services, emulator: SlackEmulator
) -> None:
    use_routing(services, OFFICE_HOURS + '    timezone: "Europe/Berlin"\n')
    emulator.set_user("U01", tz="America/New_York")
    with freeze_time("2026-11-25T18:30:00Z"):
        refresh_directory(services)
        _, assignee, routing = hot(services, "a@a.io")
    assert assignee is None
    assert [reason for _, reason in routing["skipped"]] == [
        "out of hours (09:00-18:00 Europe/Berlin)"
    ] * 2


def test_capacity_is_counted_per_rep_per_day(services: Services) -> None:
    use_routing(services, TWO_REPS + "    max_alerts_per_rep_per_day: 1\n")
    with freeze_time("2026-11-25T12:00:00Z"):
        assert hot(services, "a@a.io")[1] == "U01"
        assert hot(services, "b@b.io")[1] == "U02"
        _, assignee, routing = hot(services, "c@c.io")
        assert assignee is None
        assert routing["skipped"] == [
            ["U01", "at capacity (1 today)"],
            ["U02", "at capacity (1 today)"],
        ]
    with freeze_time("2026-11-26T12:00:00Z"):
        assert hot(services, "d@d.io")[1] is not None, "a new day"


def test_weights_give_more_turns(services: Services) -> None:
    use_routing(services, "  - channel: C0SDR\n    assignees: [{user: U01, weight: 2}, U02]\n")
    with freeze_time("2026-11-25T12:00:00Z"):
        got = [hot(services, f"lead{i}@c{i}.io")[1] for i in range(6)]
    assert got == ["U01", "U02", "U01"] * 2


def test_an_owner_named_by_email_is_looked_up_once(
    services: Services, emulator: SlackEmulator
) -> None:
    from tests.alerts.conftest import ingest
    from tests.routing.conftest import account
    from tests.support.events import lead_created

    use_routing(services, TWO_REPS)
    emulator.set_user("U09", email="Owner@Corp.io", tz="Asia/Tokyo")
    with freeze_time("2026-11-25T12:00:00Z"):
        ingest(services, lead_created("ana@acme.io", owner="owner@corp.io"))
        assert account(services, "acme.io").owner_email == "owner@corp.io"
        refresh_directory(services)
        assert account(services, "acme.io").owner_id == "U09"
        ingest(services, lead_created("bo@globex.io", owner="owner@corp.io"))
        assert account(services, "globex.io").owner_id == "U09", "from the cache"
        assert hot(services, "cy@acme.io")[1] == "U09"
    assert len(emulator.calls_to("users.lookupByEmail")) == 1
