"""Every table, side by side, so the whole schema reads in one place.

Names follow the sales domain. Scores are stored in parts (fit, the decaying
and the fixed behaviour, the decay instant) so that the decay job is one
set-based UPDATE and any score can be re-explained from the stored history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import JSONDoc, UTCDateTime


def _when(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


class RuleSetVersion(SQLModel, table=True):
    """One stored rule set. The newest ``activated_at`` is the active one."""

    __tablename__ = "rule_set_versions"

    version: int | None = Field(default=None, primary_key=True)
    name: str
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(unique=True, max_length=64)
    applied_by: str
    applied_at: datetime = Field(sa_type=UTCDateTime)
    activated_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Lead(SQLModel, table=True):
    """A person we might sell to, identified by lower-cased email."""

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_score", "score"),
        Index("ix_leads_company_key", "company_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=320)
    name: str | None = None
    title: str | None = None
    company: str | None = None
    company_key: str | None = None
    company_size: int | None = None
    industry: str | None = None
    country: str | None = None
    region: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    field_times: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    created_at: datetime = Field(sa_type=UTCDateTime)
    fit: float = 0.0
    fit_hits: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """Which fit rules the profile matches, ``1`` or ``0`` per rule in order; None until scored."""
    behavior_decaying: float = 0.0
    behavior_fixed: float = 0.0
    behavior: float = 0.0
    score: float = 0.0
    band: str = "cold"
    last_activity_at: datetime | None = _when()
    scored_at: datetime | None = _when()
    rule_set_version: int | None = None
    alert_armed: bool = True
    alert_cycle: int = 0
    deal_stage: str | None = None
    deal_updated_at: datetime | None = _when()
    behavior_tally: list[Any] | None = Field(default=None, sa_type=JSONDoc)
    """What behaviour has earned rule by rule (``scoring.tally``); None until first scored."""
    account_id: int | None = Field(default=None, index=True)
    """The lead's account (``scoring.accounts``); None for personal and free-mail addresses."""


class EventRecord(SQLModel, table=True):
    """Every accepted event id, so redeliveries are recognised as duplicates.

    Only what deduplication needs: the id (the primary key) and the lead it
    was about. On SQLite the table is ``WITHOUT ROWID``, one B-tree keyed by
    the id, so an event id costs one index insert, not two (migration 0009
    says why the type, times and source are no longer kept).
    """

    __tablename__ = "events"
    __table_args__ = {"sqlite_with_rowid": False}

    event_id: str = Field(primary_key=True, max_length=200)
    lead_id: int


class Activity(SQLModel, table=True):
    """One engagement (page view, demo request...) of a lead."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_lead_time", "lead_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int
    event_id: str = Field(max_length=200)
    kind: str
    url: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    occurred_at: datetime = Field(sa_type=UTCDateTime)


class PipelineEntry(SQLModel, table=True):
    """A lead's score when it entered the pipeline, and how the deal ended.

    Calibration compares these entry scores with outcomes, so the rule set
    version and the per-rule points at entry are frozen here.
    """

    __tablename__ = "pipeline_entries"
    __table_args__ = (Index("ix_pipeline_closed", "closed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)
    entered_at: datetime = Field(sa_type=UTCDateTime)
    score: float
    fit: float
    behavior: float
    rule_set_version: int | None = None
    rule_hits: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    # What the lead looked like at entry (scoring.calibration.entry_snapshot); None before 0004.
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    outcome: str | None = None
    closed_at: datetime | None = _when()
    amount: float | None = None


class DeadLetter(SQLModel, table=True):
    """A rejected event or row, kept with the reason so nothing is silently lost.

    ``fingerprint`` (source, event id or position, payload) is unique, so a
    re-run import or a re-delivered event is kept once, not once per attempt.
    """

    __tablename__ = "dead_letters"
    __table_args__ = (Index("ux_dead_letters_fingerprint", "fingerprint", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    source: str
    event_id: str | None = None
    position: str | None = None
    payload: str = Field(sa_column=Column(Text, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str | None = Field(default=None, max_length=64)


class Alert(SQLModel, table=True):
    """Outbox row for one hot-lead alert, and what SDRs did with it.

    ``alert_key`` (lead id and heat cycle) makes the alert unique, so a crash
    between posting and marking it sent can be healed by looking it up.
    """

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_key: str = Field(unique=True, max_length=100)
    lead_id: int = Field(index=True)
    channel: str
    assignee: str | None = None
    score: float
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = _when()
    last_error: str | None = None
    message_ts: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = _when()
    claimed_by: str | None = None
    claimed_at: datetime | None = _when()
    dismissed_by: str | None = None
    dismissed_reason: str | None = None
    dismissed_at: datetime | None = _when()
    snoozed_by: str | None = None
    snoozed_until: datetime | None = _when()
    escalated_at: datetime | None = _when()
    account_id: int | None = None
    """Set on account-heat alerts (``alert_key`` ``account-…``); lead alerts leave it empty."""
    reassignments: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    assigned_at: datetime | None = _when()
    """When the current assignee got it; the SLA clock of a reassigned alert starts here."""
    routing: dict[str, Any] | None = Field(default=None, sa_type=JSONDoc)
    """Why it went to whom (owner, skipped reps and why), as the message explains it."""


class Account(SQLModel, table=True):
    """A company we sell to: a registered email domain or a CRM account id, and its owner."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    owner_id: str | None = Field(default=None, index=True, max_length=30)
    owner_email: str | None = Field(default=None, max_length=320)
    """An owner the CRM named by email, until ``users.lookupByEmail`` resolves it."""
    owner_source: str | None = None
    owner_since: datetime | None = _when()
    heat_alerted_at: datetime | None = _when()
    created_at: datetime = Field(sa_type=UTCDateTime)


class Rep(SQLModel, table=True):
    """A Slack user who takes leads: time zone (cached from Slack) and absence."""

    __tablename__ = "reps"

    user_id: str = Field(primary_key=True, max_length=30)
    email: str | None = Field(default=None, index=True, max_length=320)
    tz: str | None = None
    tz_checked_at: datetime | None = _when()
    away_since: datetime | None = _when()
    away_until: datetime | None = _when()
    """End of the absence; None with ``away_since`` set means until ``/leadscore back``."""


class RepLoad(SQLModel, table=True):
    """Alerts assigned to a rep on one day of their own calendar (capacity)."""

    __tablename__ = "rep_loads"

    user_id: str = Field(primary_key=True, max_length=30)
    day: str = Field(primary_key=True, max_length=10)
    alerts: int = 0


class RoutingTurn(SQLModel, table=True):
    """Whose turn it is in a routing rule's round-robin, shared by all replicas."""

    __tablename__ = "routing_turns"

    route_key: str = Field(primary_key=True, max_length=200)
    next_index: int = 0


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one period; the unique key makes it run once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_job_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str
    period: str
    holder: str
    started_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = _when()
    outcome: str | None = None


class CalibrationReport(SQLModel, table=True):
    """A calibration report as posted, with the suggestion the Apply button stores."""

    __tablename__ = "calibration_reports"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    period: str | None = None
    window_days: int
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    suggested_rules: str | None = Field(default=None, sa_column=Column(Text))
    channel: str | None = None
    message_ts: str | None = None
    applied_version: int | None = None
    applied_by: str | None = None
    applied_at: datetime | None = _when()


class SegmentIdentity(SQLModel, table=True):
    """A Segment ``userId`` or ``anonymousId`` and what we know it to be.

    ``identity`` is ``u:<userId>`` or ``a:<anonymousId>``. ``email`` is the
    lead it belongs to once a message has said so; ``linked_user`` ties an
    anonymous id to the user id it was seen with before any email was known,
    so that user's first email also claims the anonymous history.
    """

    __tablename__ = "segment_identities"
    __table_args__ = {"sqlite_with_rowid": False}  # keyed by text: one B-tree, not two

    identity: str = Field(primary_key=True, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    linked_user: str | None = Field(default=None, max_length=200, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class PendingSegmentEvent(SQLModel, table=True):
    """An event from an identity with no email yet, kept until one is known.

    ``event`` is the contract event without ``lead.email``; it goes through
    the normal ingest path (as a late event, at its own time) once the
    identity is linked to an email.
    """

    __tablename__ = "segment_pending_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=200)
    identity: str = Field(max_length=200, index=True)
    event: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc)
    received_at: datetime = Field(sa_type=UTCDateTime)
