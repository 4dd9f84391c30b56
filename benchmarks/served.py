"""A benchmark's server in a subprocess on a free loopback port, ready once ``/healthz`` answers.

Each benchmark serves the app its own way (``benchmarks.ingest`` without the
workers, ``benchmarks.alerts`` with them and the emulator); starting it,
waiting for it and stopping it is the same for both.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO

import httpx

from bot.demo.serving import free_port

START_SECONDS = 30


class ServedProcess:
    """``python -m MODULE --serve ARGS`` as a context manager giving the server's base URL.

    ``arguments`` is given the free port chosen for the server.
    """

    def __init__(
        self,
        module: str,
        arguments: Callable[[int], Sequence[str]],
        *,
        stderr: int | IO[bytes] | None = None,
    ) -> None:
        self.port = free_port()
        self.command = [sys.executable, "-m", module, "--serve", *arguments(self.port)]
        self.stderr = stderr

    def __enter__(self) -> str:
        self.process = subprocess.Popen(self.command, stderr=self.stderr)
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.1)
        self.process.kill()
        raise SystemExit(f"the benchmark server ({' '.join(self.command[2:])}) did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
