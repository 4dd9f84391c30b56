"""Streaming a CSV file row by row, with the physical line each row starts on.

A quoted field may span lines, so the row number is not the line number; the
csv reader's ``line_num`` after the previous row, plus one, is where the next
row starts, which is what a person opening the file in an editor looks for.
Memory stays flat whatever the file size: one row is held at a time.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO


class UnreadableFile(ValueError):
    """The file cannot be read as CSV (missing, empty, broken)."""


def undecodable(cells: list[str]) -> str | None:
    """The first cell holding bytes the file's encoding could not decode, if any."""
    if "".join(cells).isascii():
        return None
    for cell in cells:
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError:
            return cell
    return None


class CsvSource:
    """An open CSV file: ``header``, then ``rows()`` as ``(line, cells)``."""

    def __init__(self, path: Path, *, delimiter: str = ",", encoding: str = "utf-8-sig") -> None:
        self.path = path
        self.delimiter = delimiter
        self.encoding = encoding
        try:
            self.size = os.path.getsize(path)
            self._binary: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
        except OSError as exc:
            raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from None
        # Undecodable bytes are kept as lone surrogates so that the row they
        # are on is reported with its line (strict decoding fails a whole
        # 8 KiB block at once); ``undecodable`` finds them.
        self._text = io.TextIOWrapper(
            self._binary, encoding=encoding, errors="surrogateescape", newline=""
        )
        self._reader = csv.reader(self._text, delimiter=delimiter)
        self._line = 0
        first = next(self._records(), None)
        if first is None:
            self.close()
            raise UnreadableFile(f"{path} is empty: the first line must be the header")
        self.header_line, self.header = first

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row with the line it starts on (blank lines skipped)."""
        return self._records()

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got (read-ahead included), for progress bars."""
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return self.size

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        while True:
            start = self._line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise UnreadableFile(f"line {start}: broken CSV: {exc}") from None
            self._line = reader.line_num
            if row:
                yield start, row

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
