"""A cheap HTTP/1.1 load generator for ``benchmarks.ingest``.

httpx from a few threads costs the client about as much CPU per request as the
server spends, so on a 2-core machine it capped even a no-op route near 1,000
requests/s and the benchmark measured its own client. Here every request is
encoded (request line, headers, signed body) before the clock starts, and
``clients`` keep-alive connections on one asyncio loop (uvloop when installed)
each send a request and read exactly one response; the timed loop only writes
bytes, parses a status line and headers, and checks the small JSON reply.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

Body = tuple[bytes, dict[str, str]]
T = TypeVar("T")


def post_all(url: str, bodies: list[Body], *, clients: int, path: str = "/ingest") -> float:
    """POST every body over ``clients`` keep-alive connections; seconds taken.

    Connections are opened before the clock starts, and the bodies are shared
    from one queue so a slow connection does not leave the others idle at the end.
    Exits with the first failure's text if any request was not a clean 200.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [encode_request(parts.netloc, path, body, headers) for body, headers in bodies]
    elapsed, failures = _run(_drive(host, port, requests, clients))
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return elapsed


def _run(main: Coroutine[Any, Any, T]) -> T:
    """uvloop when installed: its cheaper socket I/O leaves more of the CPU to the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def encode_request(netloc: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One complete HTTP/1.1 POST as it goes on the wire."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {netloc}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()
              if name.lower() not in ("content-type", "content-length", "host")]  # fmt: skip
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _drive(
    host: str, port: int, requests: list[bytes], clients: int
) -> tuple[float, list[str]]:
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    queue = iter(requests)
    failures: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(_client(r, w, queue, failures) for r, w in connections))
    elapsed = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    return elapsed, failures


async def _client(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    queue: Iterator[bytes],
    failures: list[str],
) -> None:
    for request in queue:
        writer.write(request)
        status, body = await read_response(reader)
        if status != 200 or json.loads(body)["rejected"]:
            failures.append(f"HTTP {status}: {body[:300].decode(errors='replace')}")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        return status, await _read_chunked(reader)
    return status, await reader.readexactly(int(headers.get(b"content-length", b"0")))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
        pass
    return b"".join(chunks)
