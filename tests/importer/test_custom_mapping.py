"""A CRM export with its own column names, read through a mapping file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.services import Services
from storage.engine import session_scope
from storage.models import PipelineEntry
from tests.importer.conftest import activities, event_ids, lead, run_import, write

HEADER = (
    "Lead ID;Work Email;Job Title;Head Count;Country Code;Signed Up;Web Visits;Stage;Deal Value;"
    "Newsletter"
)
EXPORT = f"""
    {HEADER}
    L1;ana@acme.io;VP Sales;250;DE;24/11/2026 10:00;3;Won;12000;Yes
    L2;bo@beta.io;Engineer;-;US;24/11/2026 11:00;0;-;-;No
    L3;cy@gamma.io;Director;40;-;24/11/2026 12:00;1;Open;-;no
"""

MAPPING = """
    delimiter: ";"
    null_values: ["", "-"]
    events:
      - type: lead.created
        id: "crm-{Lead ID}-created"
        occurred_at: &signed_up
          {column: Signed Up, format: "%d/%m/%Y %H:%M", timezone: Europe/Berlin}
        lead:
          email: "{Work Email}"
          title: "{Job Title}"
          company_size: {column: Head Count, type: int, default: 0}
          region: {column: Country Code, map: {DE: EMEA, FR: EMEA, US: AMER}, default: Unknown}
          attributes:
            newsletter: {column: Newsletter, type: bool}
            tier: {value: gold}
      - type: activity
        id: "crm-{Lead ID}-visit-{n}"
        occurred_at: *signed_up
        repeat: {column: Web Visits, max: 2}
        lead: {email: "{Work Email}"}
        activity:
          kind: page_view
          url: "https://ex.com/pricing?visit={n}"
          properties: {visit: {template: "{n}", type: int}}
      - type: deal.updated
        id: "crm-{Lead ID}-deal"
        occurred_at: *signed_up
        when: {column: Stage, in: [Won, Lost]}
        lead: {email: "{Work Email}"}
        deal:
          stage: {column: Stage, map: {Won: closed_won, Lost: closed_lost}}
          amount: {column: Deal Value, type: float}
"""


def test_mapping_reads_named_columns_maps_values_and_repeats_visits(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "export.csv", EXPORT)
    write(tmp_path, "map.yml", MAPPING)

    result = run_import(services, monkeypatch, tmp_path, "export.csv", "--mapping", "map.yml")

    assert result.exit_code == 0, result.output
    assert "3 rows, 7 events accepted, 0 duplicates, 0 rows rejected" in result.stdout
    assert event_ids(services) == {
        "crm-L1-created",
        "crm-L1-visit-1",
        "crm-L1-visit-2",
        "crm-L1-deal",
        "crm-L2-created",
        "crm-L3-created",
        "crm-L3-visit-1",
    }
    ana, bo, cy = (lead(services, f"{n}.io") for n in ("ana@acme", "bo@beta", "cy@gamma"))
    assert ana is not None and bo is not None and cy is not None
    assert (ana.title, ana.company_size, ana.region) == ("VP Sales", 250, "EMEA")
    assert ana.attributes == {"newsletter": True, "tier": "gold"}
    assert (bo.company_size, bo.region, bo.attributes["newsletter"]) == (0, "AMER", False)
    assert cy.region == "Unknown"
    visits = [a for a in activities(services) if a.event_id.startswith("crm-L1-visit")]
    assert [(a.url, a.properties) for a in visits] == [
        ("https://ex.com/pricing?visit=1", {"visit": 1}),
        ("https://ex.com/pricing?visit=2", {"visit": 2}),
    ]
    assert visits[0].occurred_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert ana.behavior_decaying == 20
    with session_scope(services.engine) as session:
        entries = list(session.scalars(select(PipelineEntry)))
    assert [(e.lead_id, e.outcome, e.amount) for e in entries] == [(ana.id, "won", 12000.0)]
