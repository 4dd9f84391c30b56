"""``/leadscore rules``: the rule set in force and who put it there."""

from __future__ import annotations

from bot.ingest.rulebook import NoRuleSetError
from bot.services import Services
from bot.views.message import Message
from bot.views.rule_set import rules_message
from storage.engine import read_scope
from storage.rule_sets import active_version


def rules_answer(services: Services) -> Message:
    with read_scope(services.engine) as session:
        row = active_version(session=session)
        if row is None:
            raise NoRuleSetError("no rule set applied yet")
        rule_set = services.rulebook.active(session).rule_set
    return rules_message(row, rule_set, zone=services.settings.zone)
