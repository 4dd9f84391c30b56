"""Anyone can see which rule set scores the leads, who applied it and its points."""

from __future__ import annotations

from storage.engine import session_scope
from storage.rule_sets import active_version
from tests.slash_command.conftest import SlackUser, assert_within_limits, texts


def test_rules_show_version_author_thresholds_decay_and_points(slack: SlackUser) -> None:
    services = slack.services
    services.settings = services.settings.model_copy(update={"timezone": "Europe/Berlin"})
    with session_scope(services.engine) as session:
        row = active_version(session=session)
        assert row is not None
        applied = row.applied_at.astimezone(services.settings.zone).strftime("%Y-%m-%d %H:%M")
    reply = slack.command("rules")
    assert_within_limits(reply)
    shown = texts(reply)
    assert f"Rule set “default” v{row.version}" in shown
    assert f"Applied by tests on {applied} Europe/Berlin" in shown
    assert "*Hot* at 70+" in shown and "*Warm* at 40+" in shown
    assert "*Decay* 15% per 30 days after 7 days idle" in shown
    assert "• *+20* Senior title — title contains any of VP, Vice President" in shown
    assert "• *+15* ICP company size — company_size is between 200 and 500" in shown
    assert "• *+10* Pricing page visit — page_view with URL containing /pricing" in shown
    assert "_(at most 3×, intent)_" in shown
    assert "• *+50* Demo request — demo_request" in shown
