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


class EventRecord(SQLModel, table=True):
    """Every accepted event id, so redeliveries are recognised as duplicates.

    Only ``event_id`` is indexed: nothing looks events up by lead, and an index
    on a random key (the lead) dirtied a page per event in every commit.
    """

    __tablename__ = "events"

    event_id: str = Field(primary_key=True, max_length=200)
    type: str
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    lead_id: int
    source: str


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
    """A rejected event or row, kept with the reason so nothing is silently lost."""

    __tablename__ = "dead_letters"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    source: str
    event_id: str | None = None
    position: str | None = None
    payload: str = Field(sa_column=Column(Text, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))


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
