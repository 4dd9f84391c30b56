"""From a parsed ``/leadscore`` request to the message that answers it.

Whatever goes wrong, the SDR gets a sentence, never a trace: a missing rule
set is explained, anything unexpected is logged and apologised for.
"""

from __future__ import annotations

import logging

from bot.ingest.rulebook import NoRuleSetError
from bot.services import Services
from bot.slash_command.calibrate import calibrate_answer
from bot.slash_command.help import help_answer
from bot.slash_command.lead import company_answer, lead_answer
from bot.slash_command.parse import (
    AccountQuery,
    AwayQuery,
    BackQuery,
    CalibrateQuery,
    Command,
    CompanyQuery,
    HelpQuery,
    LeadQuery,
    RulesQuery,
    TopQuery,
)
from bot.slash_command.ranking import top_answer
from bot.slash_command.routing import account_answer, away_answer, back_answer
from bot.slash_command.rules import rules_answer
from bot.views.message import Message
from bot.views.notice import notice_message

log = logging.getLogger(__name__)

NO_RULES = (
    "No rule set is applied yet, so no lead has a score. "
    "An admin runs `leadscore rules apply rules.yml` to start."
)
SORRY = "Sorry, I could not answer that just now. The error is logged; try again in a minute."


def answer(services: Services, *, command: Command, user_id: str) -> Message:
    """The ephemeral answer to ``command`` typed by ``user_id``."""
    try:
        return _answer(services, command, user_id)
    except NoRuleSetError:
        return notice_message(NO_RULES)
    except Exception:
        log.exception("/leadscore %s failed", type(command).__name__)
        return notice_message(SORRY)


def _answer(services: Services, command: Command, user_id: str) -> Message:
    match command:
        case LeadQuery(email=email):
            return lead_answer(services, email)
        case CompanyQuery(name=name):
            return company_answer(services, name)
        case TopQuery():
            return top_answer(services, command)
        case RulesQuery():
            return rules_answer(services)
        case CalibrateQuery():
            return calibrate_answer(services, user_id=user_id, query=command)
        case HelpQuery():
            return help_answer(services, user_id=user_id, query=command)
        case AwayQuery():
            return away_answer(services, user_id=user_id, query=command)
        case BackQuery():
            return back_answer(services, user_id=user_id)
        case AccountQuery():
            return account_answer(services, command)
    return help_answer(services, user_id=user_id, query=HelpQuery())
