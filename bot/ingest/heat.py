"""Scoring a stored lead and deciding when it has turned hot.

A lead alerts when its score reaches ``hot`` while armed. It is disarmed by the
alert and re-armed only when it cools below ``warm``, so one heat cycle gives
one alert however often the score wobbles around the threshold.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter

from bot.ingest.rulebook import ActiveRules
from scoring.evaluate import LeadScore, flagged_points, score_totals
from scoring.rule_set import RuleSet
from scoring.tally import Tally
from storage.leads import LeadState


def rescore(lead: LeadState, rules: ActiveRules, tally: Tally, now: datetime) -> LeadScore:
    """Recompute the lead's score from its behaviour tally and store the parts and the tally.

    The tally must hold the lead's whole history under the active rule set.
    The fit rules are skipped when neither the profile nor the rule set
    changed since the stored fit (and the fit flags it came from) was
    computed. The result has no hits: only the numbers are stored.
    """
    if tally.version != rules.version:
        raise ValueError(f"tally of rule set v{tally.version} used with v{rules.version}")
    fit = lead.fit
    if lead.rule_set_version != rules.version or lead.profile_changed or lead.fit_hits is None:
        fit = flagged_points(rules.rule_set, current_fit_flags(lead, rules))
    result = score_totals(rules.rule_set, fit, tally, now=now)
    lead.fit = result.fit
    lead.behavior_decaying = result.behavior_decaying
    lead.behavior_fixed = result.behavior_fixed
    lead.behavior = result.behavior
    lead.score = result.score
    lead.band = result.band
    if result.last_activity_at is not None:
        lead.last_activity_at = result.last_activity_at
    lead.scored_at = now
    lead.rule_set_version = rules.version
    lead.behavior_tally = tally.document()
    return result


_FIT_INPUTS = attrgetter(
    "email", "name", "title", "company", "company_key", "company_size", "industry", "country",
    "region",
)  # fmt: skip


def current_fit_flags(lead: LeadState, rules: ActiveRules) -> str:
    """``fit_flags`` of the lead's profile as it is now, evaluated once per profile and rule set.

    A deal's entry frozen for a lead with no earlier history and the rescore
    that follows it in the same batch look at the same profile; the fit
    rules are the costlier half of both, so the second reuses the first's
    flags. Any change to the profile or the rule set evaluates them again.
    """
    inputs = (rules.version, _FIT_INPUTS(lead), lead.attributes)
    if lead.fit_hits is None or lead.fit_evaluated_for != inputs:
        lead.fit_hits = rules.fit_memo.flags(lead)
        lead.fit_evaluated_for = (rules.version, _FIT_INPUTS(lead), dict(lead.attributes))
    return lead.fit_hits


def turned_hot(lead: LeadState, rule_set: RuleSet) -> bool:
    """Update the alert arming for the new score; True when an alert is due."""
    if lead.score < rule_set.thresholds.warm:
        lead.alert_armed = True
    if lead.alert_armed and lead.score >= rule_set.thresholds.hot:
        lead.alert_armed = False
        lead.alert_cycle += 1
        return True
    return False


def settle_without_alert(lead: LeadState, rule_set: RuleSet) -> None:
    """Arm or disarm without alerting (backfills and rule changes must not page SDRs)."""
    if lead.score < rule_set.thresholds.warm:
        lead.alert_armed = True
    elif lead.score >= rule_set.thresholds.hot:
        lead.alert_armed = False
