"""Reading and mapping a large CSV file in a second process while this one stores it.

Reading, mapping and validating a row is a large share of importing it,
storing it the rest; in one process the two take turns on one core. Here a
child process runs ``read_chunks`` over the same file and mapping and hands
each chunk over a pipe, so the two overlap on two cores. The events go as
msgpack (msgspec structs encode and decode several times faster than
pickle); the rest of a chunk (positions, dead letters, counts) is small and
is pickled.

What is stored, reported and dead-lettered is exactly what the one-process
path gives: both run the same ``read_chunks``, and the chunks are stored in
file order by the same ``store_chunks``. The pipe holds about one chunk, so
memory stays flat; if this process dies, the child's next send fails and it
exits; if the child fails or dies, the import stops as it does at an
unreadable line: what was stored is kept and reported, and a re-run counts
it as duplicates. A chunk that arrives damaged stops the import the same way,
before any of it is stored.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import tempfile
import traceback
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import IO, Any

import msgspec

from bot.heap import collector_for_bulk
from bot.importer.import_loop import Chunk, read_chunks
from bot.importer.reader import CsvSource
from bot.importer.rows import RowMapper
from bot.ingest.results import Item
from scoring.events import Event

_EVENTS = msgspec.msgpack.Decoder(list[Event])
_CHUNK, _FAILED, _DONE = "chunk", "failed", "done"
_FRAME = struct.Struct("!QI")
"""A frame's head: its length, and the CRC-32 of its body."""
_STOP_SECONDS = 10
DAMAGED = "the process reading the file sent a chunk that could not be decoded"


@contextmanager
def prefetched_chunks(
    source: CsvSource, mapper: RowMapper, chunk_rows: int
) -> Iterator[Iterator[Chunk]]:
    """The chunks ``read_chunks`` would give for this file, read by a child process.

    The child is a fresh interpreter (``python -m bot.importer.prefetch``),
    not a fork: it holds no copy of this process's heap, and nothing of the
    calling program is re-run in it.
    """
    job = (source.path, source.delimiter, source.encoding, mapper.mapping, chunk_rows)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "bot.importer.prefetch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
            child.stdin.close()
            yield _received(child, errors)
        finally:
            if child.stdout is not None:
                child.stdout.close()  # a child still sending gets a broken pipe and exits
            _reap(child)


def _received(child: subprocess.Popen[bytes], errors: IO[bytes]) -> Iterator[Chunk]:
    """The child's chunks in order; if it fails or dies, a last chunk saying why reading stopped.

    Stopping is reported as ``stopped`` (as an unreadable line is), so the
    import keeps and reports what it stored before. A frame that does not
    decode (seen once when a profiler interrupted the pipe) stops it too,
    rather than ending the import with a traceback.
    """
    assert child.stdout is not None
    while True:
        try:
            frame = _read_frame(child.stdout)
            message = None if frame is None else _decoded(frame)
        except Exception as exc:  # any failure to decode means the stream is damaged
            yield Chunk(stopped=f"{DAMAGED} ({type(exc).__name__}: {exc})"[:500])
            return
        if message is None:
            yield Chunk(stopped=_death(child, errors))
            return
        kind, content = message
        if kind != _CHUNK:
            break
        yield content
    if kind == _FAILED:
        yield Chunk(stopped=f"reading the file failed: {content}")
    elif kind != _DONE:
        yield Chunk(stopped=f"{DAMAGED} (a message of unknown kind {kind!r})"[:500])


def _decoded(frame: bytes) -> tuple[str, Any]:
    """A frame's kind and content, a ``Chunk`` for a chunk; raises if it does not decode."""
    kind, payload = pickle.loads(frame)
    return kind, _chunk(payload) if kind == _CHUNK else payload


def _reap(child: subprocess.Popen[bytes]) -> None:
    """Wait for the child to exit, killing it if it does not within ``_STOP_SECONDS``."""
    try:
        child.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _death(child: subprocess.Popen[bytes], errors: IO[bytes]) -> str:
    """Why reading stopped, when the child's output ended without a last word."""
    _reap(child)
    errors.seek(0)
    said = errors.read().decode("utf-8", "replace").strip()[-2_000:]
    return f"the process reading the file ended unexpectedly (exit code {child.returncode})" + (
        f": {said}" if said else ""
    )


class DamagedFrame(Exception):
    """A frame whose body is not what was sent (its CRC-32 differs)."""


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One length-prefixed frame, or None if the stream ended before a whole one.

    The checksum costs about a microsecond per 4 kB; without it a byte changed
    inside an event's text would decode as a different, valid event.
    """
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    size, checksum = _FRAME.unpack(head)
    body = stream.read(size)
    if len(body) != size:
        return None
    if zlib.crc32(body) != checksum:
        raise DamagedFrame(f"checksum mismatch in a frame of {size:,} bytes")
    return body


_PLAIN_FIELDS = [f.name for f in fields(Chunk) if f.name != "items"]
"""What a chunk holds besides its items, sent as it is (counts, dead letters, bad rows)."""


def _payload(chunk: Chunk, encoder: msgspec.msgpack.Encoder) -> dict[str, Any]:
    """A chunk for the pipe: its events as msgpack, their positions, the rest as it is."""
    payload = {name: getattr(chunk, name) for name in _PLAIN_FIELDS}
    payload["events"] = encoder.encode([item.data for item in chunk.items])
    payload["positions"] = [item.position for item in chunk.items]
    return payload


def _chunk(payload: dict[str, Any]) -> Chunk:
    events = _EVENTS.decode(payload.pop("events"))
    positions = payload.pop("positions")
    items = [Item(position, event) for position, event in zip(positions, events, strict=True)]
    return Chunk(items=items, **payload)


def _send(out: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    out.write(_FRAME.pack(len(body), zlib.crc32(body)))
    out.write(body)
    out.flush()


def _read_in_child(job: tuple[Any, ...], out: IO[bytes]) -> None:
    """The child: open the file as the parent did, and send each chunk as it is read."""
    path, delimiter, encoding, mapping, chunk_rows = job
    encoder = msgspec.msgpack.Encoder()
    try:
        with (
            collector_for_bulk(),
            CsvSource(path, delimiter=delimiter, encoding=encoding) as source,
        ):
            mapper = RowMapper(mapping, source.header)
            for chunk in read_chunks(source, mapper, chunk_rows):
                _send(out, (_CHUNK, _payload(chunk, encoder)))
        _send(out, (_DONE, None))
    except (BrokenPipeError, ConnectionResetError):
        return  # the importing process has gone: nobody to read the rest for
    except Exception:
        _send(out, (_FAILED, traceback.format_exc(limit=5).strip()))


if __name__ == "__main__":
    _read_in_child(pickle.load(sys.stdin.buffer), sys.stdout.buffer)
