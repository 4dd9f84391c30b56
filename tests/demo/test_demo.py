"""A newcomer runs `leadscore demo` and sees the product work, start to finish."""

from __future__ import annotations

import threading
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import cli


def test_the_demo_runs_to_completion_and_shows_every_scene(tmp_path: Path) -> None:
    before = {thread.name for thread in threading.enumerate()}
    result = CliRunner().invoke(cli, ["demo", "--leads", "80", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Hot lead: Ana Ruiz" in output  # an alert as the channel sees it
    assert "Claimed by" in output  # the claim edited the alert in place
    assert "/leadscore ana.ruiz@acme.example" in output  # a lookup
    assert "/leadscore top 10" in output
    assert "cooled below warm" in output  # the decay pass
    assert "Weekly calibration digest" in output
    chart = tmp_path / "calibration-chart.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(chart) in output.replace("\n", "")
    leftover = {t.name for t in threading.enumerate() if t.is_alive()} - before
    assert not {name for name in leftover if "uvicorn" in name or "outbox" in name.lower()}
