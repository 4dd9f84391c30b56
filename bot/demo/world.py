"""A small, realistic sales world generated with a fixed seed for the demo.

Nothing here is read from disk: a user's clone has no sample data, so the
demo invents companies, people, engagement and deal outcomes. Outcomes follow
a known rule (demo requests and pricing visits from senior people at
mid-sized software companies convert; email opens do not), so the calibration
digest has something true to find.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

COMPANIES = [
    ("Acme Analytics", "SaaS", 320, "EMEA"),
    ("Brightwave", "Software", 850, "AMER"),
    ("Cobalt Systems", "SaaS", 240, "AMER"),
    ("Dunmore Logistics", "Logistics", 1500, "EMEA"),
    ("Evergreen Health", "Healthcare", 2400, "AMER"),
    ("Fjord Data", "SaaS", 120, "EMEA"),
    ("Granite Bank", "Financial Services", 5000, "EMEA"),
    ("Helios Energy", "Energy", 700, "APAC"),
    ("Ionic Labs", "Software", 60, "AMER"),
    ("Juniper Retail", "Retail", 900, "AMER"),
    ("Kestrel Security", "SaaS", 410, "EMEA"),
    ("Lumen Public Works", "Government", 3000, "EMEA"),
    ("Meridian Software", "Software", 230, "APAC"),
    ("Northwind Traders", "Retail", 180, "AMER"),
    ("Orbit Robotics", "Manufacturing", 650, "EMEA"),
    ("Pinecone Cloud", "SaaS", 1100, "AMER"),
]
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Viktor",
]
LAST = [
    "Ruiz",
    "Okafor",
    "Schmidt",
    "Tanaka",
    "Nowak",
    "Silva",
    "Haddad",
    "Larsen",
    "Moreau",
    "Kowalski",
    "Adeyemi",
    "Ferreira",
    "Novak",
    "Lindqvist",
    "Costa",
    "Yilmaz",
]
TITLES = [
    ("VP Sales", True),
    ("Head of Revenue Operations", True),
    ("Director of Marketing", True),
    ("Chief Revenue Officer", True),
    ("Sales Manager", False),
    ("Account Executive", False),
    ("Marketing Specialist", False),
    ("Software Engineer", False),
    ("Intern", False),
]
ACTIVITIES = [
    ("page_view", "https://leadscore.example/pricing", 0.9),
    ("page_view", "https://leadscore.example/docs/integrations/salesforce", 0.4),
    ("page_view", "https://leadscore.example/blog/lead-scoring-101", 0.0),
    ("demo_request", None, 1.6),
    ("competitor_page_view", "https://leadscore.example/compare/hubspot", 0.6),
    ("webinar_attended", None, 0.3),
    ("content_download", None, 0.1),
    ("email_click", None, 0.1),
    ("email_open", None, 0.0),
    ("email_open", None, 0.0),
    ("email_open", None, 0.0),
]


@dataclass
class Person:
    email: str
    name: str
    title: str
    senior: bool
    company: str
    industry: str
    size: int
    region: str

    def lead(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "title": self.title,
            "company": self.company,
            "company_size": self.size,
            "industry": self.industry,
            "region": self.region,
        }


@dataclass
class DemoWorld:
    """Events to replay: ``history`` (the past 150 days, with outcomes) and ``live`` (today)."""

    history: list[dict[str, Any]] = field(default_factory=list)
    live: list[dict[str, Any]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


class _Builder:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.count = 0

    def event(self, kind: str, at: datetime, person: Person, **parts: Any) -> dict[str, Any]:
        self.count += 1
        lead = person.lead() if kind == "lead.created" else {"email": person.email}
        return {
            "id": f"demo-{self.count:05d}",
            "type": kind,
            "occurred_at": _iso(at),
            "lead": lead,
            **parts,
        }

    def person(self, index: int) -> Person:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        company, industry, size, region = self.rng.choice(COMPANIES)
        title, senior = self.rng.choice(TITLES)
        domain = company.lower().split()[0] + ".example"
        return Person(
            f"{first}.{last}{index}@{domain}".lower(),
            f"{first} {last}",
            title,
            senior,
            company,
            industry,
            size,
            region,
        )


def _activity(builder: _Builder, person: Person, at: datetime) -> tuple[dict[str, Any], float]:
    kind, url, weight = builder.rng.choice(ACTIVITIES)
    body: dict[str, Any] = {"kind": kind}
    if url:
        body["url"] = url
    return builder.event("activity", at, person, activity=body), weight


def _won(builder: _Builder, person: Person, signal: float) -> bool:
    fit = 0.8 if person.senior else 0.0
    fit += 0.5 if person.industry in ("SaaS", "Software") and 200 <= person.size <= 2000 else 0.0
    logit = -2.6 + fit + min(signal, 3.5)
    return builder.rng.random() < 1 / (1 + math.exp(-logit))


def generate_world(*, now: datetime, seed: int = 7, history_leads: int = 240) -> DemoWorld:
    """The demo's events, the same for the same seed and ``now``."""
    builder = _Builder(seed, now)
    world = DemoWorld()
    for index in range(history_leads):
        person = builder.person(index)
        world.people.append(person)
        start = now - timedelta(days=builder.rng.uniform(25, 100))
        world.history.append(builder.event("lead.created", start, person))
        signal, at = 0.0, start
        for _ in range(builder.rng.randint(1, 7)):
            at += timedelta(hours=builder.rng.uniform(2, 96))
            event, weight = _activity(builder, person, at)
            world.history.append(event)
            signal += weight
        if builder.rng.random() < 0.75:
            opened = at + timedelta(days=builder.rng.uniform(0.5, 5))
            world.history.append(
                builder.event("deal.updated", opened, person, deal={"stage": "opportunity"})
            )
            closed = opened + timedelta(days=builder.rng.uniform(3, 30))
            if closed < now:
                won = _won(builder, person, signal)
                stage = "closed_won" if won else "closed_lost"
                amount = builder.rng.choice([6000, 12000, 24000, 48000]) if won else 0
                world.history.append(
                    builder.event(
                        "deal.updated", closed, person, deal={"stage": stage, "amount": amount}
                    )
                )
    world.live = _live_stream(builder, world)
    return world


def _live_stream(builder: _Builder, world: DemoWorld) -> list[dict[str, Any]]:
    """Today's events: a few senior people at good-fit companies heat up fast."""
    events: list[dict[str, Any]] = []
    hot_people = [
        Person(
            "ana.ruiz@acme.example",
            "Ana Ruiz",
            "VP Sales",
            True,
            "Acme Analytics",
            "SaaS",
            320,
            "EMEA",
        ),
        Person(
            "dev.tanaka@brightwave.example",
            "Dev Tanaka",
            "Head of Revenue Operations",
            True,
            "Brightwave",
            "Software",
            850,
            "AMER",
        ),
        Person(
            "greta.nowak@kestrel.example",
            "Greta Nowak",
            "Marketing Manager",
            False,
            "Kestrel Security",
            "SaaS",
            410,
            "EMEA",
        ),
    ]
    world.people.extend(hot_people)
    now = builder.now
    for offset, person in enumerate(hot_people):
        at = now - timedelta(minutes=50 - offset * 10)
        events.append(builder.event("lead.created", at, person))
        events.append(
            builder.event(
                "activity",
                at + timedelta(minutes=1),
                person,
                activity={"kind": "page_view", "url": "https://leadscore.example/pricing"},
            )
        )
        events.append(
            builder.event(
                "activity",
                at + timedelta(minutes=3),
                person,
                activity={
                    "kind": "competitor_page_view",
                    "url": "https://leadscore.example/compare/hubspot",
                },
            )
        )
        events.append(
            builder.event(
                "activity", at + timedelta(minutes=6), person, activity={"kind": "demo_request"}
            )
        )
    cold = builder.person(9_999)
    events.append(builder.event("lead.created", now - timedelta(minutes=5), cold))
    for minutes in (4, 3, 2):
        events.append(
            builder.event(
                "activity", now - timedelta(minutes=minutes), cold, activity={"kind": "email_open"}
            )
        )
    return events
