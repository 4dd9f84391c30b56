"""``leadscore serve`` as a real subprocess, to be killed, restarted or run twice.

In-process tests cannot show what survives SIGKILL or what two replicas do
to one database; these tests run the command operators run, configured only
through its environment, and talk to it over loopback HTTP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import FIXTURES, INGEST_SECRET, MANAGER, SIGNING_SECRET
from tests.support.servers import free_port

BOT_TOKEN = "xoxb-reliability-1-secret"


def serve_environment(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    """Everything ``serve`` reads, from the environment only (the cwd has no .env)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "LEADSCORE_"))
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "LEADSCORE_DATABASE_URL": database_url,
            "LEADSCORE_INGEST_SECRET": INGEST_SECRET,
            "LEADSCORE_RULES_FILE": str(FIXTURES / "rules.yml"),
            "LEADSCORE_MANAGER_IDS": MANAGER,
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@dataclass
class ServeProcess:
    """One ``leadscore serve`` process on a free loopback port, its output in files."""

    env: dict[str, str]
    workdir: Path
    name: str = "serve"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.starts}.stderr"

    def start(self, *, timeout: float = 60) -> ServeProcess:
        """Start on a fresh port and wait until ``/healthz`` answers 200."""
        self.port = free_port()
        self.starts += 1
        self.workdir.mkdir(parents=True, exist_ok=True)
        with (
            open(self.workdir / f"{self.name}-{self.starts}.stdout", "wb") as out,
            open(self.stderr_path, "wb") as err,
        ):
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(self.port)],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=err,
            )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited: {self.stderr_path.read_text()}")
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.kill()
        raise AssertionError(f"{self.name} did not become healthy: {self.stderr_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, as the OOM killer or a yanked plug does."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> str:
        """SIGTERM and wait; returns everything the process wrote to stderr this run."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.stderr_path.read_text(errors="replace")

    def stderr_text(self) -> str:
        return "".join(
            (self.workdir / f"{self.name}-{n}.stderr").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        )
