"""``/leadscore calibrate [days]``: the calibration report now, for managers only.

The gate is ``bot.listeners.manager_gate`` on the listener that answers this
command; ``calibrate_refusal`` is what it says to anyone else.

The report comes from ``bot.digest`` (the weekly digest's own code), so the
command and the digest always show the same figures.
"""

from __future__ import annotations

import logging

from bot.digest.report import calibration_blocks
from bot.services import Services
from bot.settings import Settings
from bot.slash_command.parse import CalibrateQuery
from bot.views import mrkdwn
from bot.views.limits import context, within_block_limit
from bot.views.message import Message
from bot.views.notice import notice_message

log = logging.getLogger(__name__)


def calibrate_answer(services: Services, *, user_id: str, query: CalibrateQuery) -> Message:
    """The report; managers only, which ``bot.listeners.manager_gate`` enforces in front."""
    blocks = list(calibration_blocks(services, days=query.days))
    if query.note:
        blocks.insert(0, context(query.note))
    return Message(
        text=f"Calibration over the last {query.days} days",
        blocks=within_block_limit(blocks),
    )


def calibrate_refusal(settings: Settings) -> Message:
    """What anyone but a manager hears, naming who to ask."""
    managers = sorted(settings.manager_ids)
    if not managers:
        who = "No manager is configured yet (LEADSCORE_MANAGER_IDS)."
    else:
        names = ", ".join(mrkdwn.user(m) for m in managers[:10])
        who = f"Ask {names} if you need it now."
    return notice_message(
        "Sorry, `/leadscore calibrate` is for sales managers: it can change how every "
        f"lead is scored. {who} The weekly digest shares the same report."
    )
