"""Hot-lead alerts: the outbox sender, the alert message, SLA escalation.

Public surface: ``OutboxSender`` (background worker), ``deliver_due`` and
``escalate_overdue`` (safe to run from any replica, any number of times),
``failed_alerts_summary`` (for ``/leadscore help``).
"""

from bot.alerts.delivery import DeliveryStats, deliver_due
from bot.alerts.escalation import escalate_overdue
from bot.alerts.failures import FailedAlertsSummary, failed_alerts_summary
from bot.alerts.sender import OutboxSender

__all__ = [
    "DeliveryStats",
    "FailedAlertsSummary",
    "OutboxSender",
    "deliver_due",
    "escalate_overdue",
    "failed_alerts_summary",
]
