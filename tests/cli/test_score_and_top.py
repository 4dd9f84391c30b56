"""``leadscore score EMAIL`` and ``leadscore top N``: what a person at a terminal sees."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from bot.cli.main import cli
from bot.ingest import Item
from bot.rules_admin import apply_rules
from bot.services import Services
from tests.conftest import FIXTURES
from tests.support.events import hot_lead, lead_created


def leadscore(services: Services, *args: str) -> tuple[int, str]:
    env = {
        "LEADSCORE_DATABASE_URL": services.settings.database_url,
        "LEADSCORE_RULES_FILE": str(FIXTURES / "rules.yml"),
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def store(services: Services, *events: dict[str, object]) -> None:
    items = [Item(position=f"test {i}", data=event) for i, event in enumerate(events)]
    assert not services.ingestor.ingest(items, source="test").rejected


def test_score_explains_a_lead_and_top_ranks_it_first(services: Services) -> None:
    store(
        services,
        hot_lead("ana@acme.io"),
        lead_created("bo@beta.io", title="Intern", company="Beta", company_size=5),
    )

    code, shown = leadscore(services, "score", " Ana@Acme.io ", "--json")
    assert code == 0, shown
    card = json.loads(shown)
    assert card["email"] == "ana@acme.io"
    assert card["band"] == "hot"
    assert {rule["kind"] for rule in card["rules"]} == {"fit", "behavior"}

    code, shown = leadscore(services, "score", "ana@acme.io")
    assert code == 0, shown
    assert "ana@acme.io" in shown and "(hot)" in shown

    code, shown = leadscore(services, "top", "2", "--json")
    assert code == 0, shown
    assert [lead["email"] for lead in json.loads(shown)["leads"]] == ["ana@acme.io", "bo@beta.io"]


def test_an_unknown_email_is_one_line_and_exit_code_2(services: Services) -> None:
    code, shown = leadscore(services, "score", "nobody@example.com")
    assert code == 2
    assert shown.strip() == "error: no lead with email nobody@example.com"


def test_the_printed_sum_names_the_base_points_so_it_adds_up(services: Services) -> None:
    rules = (FIXTURES / "rules.yml").read_text()
    rules = rules.replace("name: default\n", "name: default\nbase: 10\n")
    apply_rules(services, text=rules, applied_by="tests")
    store(services, lead_created("vp@acme.io", title="VP Sales", company="Acme", company_size=300))

    code, shown = leadscore(services, "score", "vp@acme.io")
    assert code == 0, shown
    line = re.search(
        r"score (\d+) \(\w+\) = base (-?\d+) \+ fit (-?\d+) \+ behaviour (-?[\d.]+)", shown
    )
    assert line is not None, shown
    score, base, fit, behaviour = (float(part) for part in line.groups())
    assert (score, base, fit, behaviour) == (45, 10, 35, 0)
    assert "base points" in shown
