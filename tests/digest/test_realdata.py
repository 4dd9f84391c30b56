"""Calibration on the real X Education leads, imported as a user would with the CLI.

The export has no dates; the mapping puts every outcome on 2024-01-03, so
the window is stretched to reach it. Checks that the report is sensible,
not exact figures (see benchmarks/calibration_real.py for those).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import cli
from tests.support.realdata import x_education_csv

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

EXAMPLES = Path(__file__).parents[2] / "examples"


def leadscore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    env = {
        "LEADSCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'x-education.db'}",
        "LEADSCORE_RULES_FILE": str(EXAMPLES / "rules" / "x-education.yml"),
    }
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_x_education_calibration_is_sensible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leads = x_education_csv()
    mapping = EXAMPLES / "mappings" / "x-education.yml"
    leadscore(tmp_path, monkeypatch, "import", str(leads), "--mapping", str(mapping))
    report = json.loads(
        leadscore(tmp_path, monkeypatch, "calibrate", "--days", "3650", "--json").output
    )

    assert report["closed"] == 9_240
    assert report["won"] == 3_561  # 38.5%, as SOURCE.md says
    assert report["enough_data"] is True
    assert report["spread"] > 1
    assert report["verdict"] in ("healthy", "weak: the model barely separates")
    assert report["auc"]["current"] > 0.6
    assert report["auc"]["suggested"] >= report["auc"]["current"]
    assert any(
        rule["suggested_points"] is not None and rule["suggested_points"] != rule["points"]
        for rule in report["rules"]
    )
    assert report["suggested_hot_threshold"] is not None
