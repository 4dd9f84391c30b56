"""Request bodies as Slack reads them: form, JSON or multipart, plus the query string.

slack_sdk's sync ``WebClient`` always POSTs: "GET" methods such as
``conversations.history`` arrive form-encoded, methods with blocks arrive as
JSON. Form bodies carry ``blocks``/``metadata``/``view``/``files`` as JSON
strings, so those fields are decoded to objects and tests see one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

JSON_STRING_FIELDS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "user_auth_blocks"}
)


class DecodeError(ValueError):
    """The body could not be read; ``error`` is what Slack answers in that case."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Part:
    """One multipart/form-data part; ``filename`` is set for file parts."""

    name: str
    filename: str | None
    data: bytes


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decode_params(*, body: bytes, content_type: str, query: str) -> dict[str, Any]:
    """Query and body parameters merged (body wins), JSON-string fields decoded."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = media_type(content_type)
    if kind == "application/json":
        params.update(_json_object(body))
    elif kind == "multipart/form-data":
        for part in multipart_parts(body, content_type):
            params[part.name] = part.data if part.filename else part.data.decode("utf-8")
    elif body:
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError as error:
            raise DecodeError("invalid_form_data") from error
    return {key: _decoded(key, value) for key, value in params.items()}


def multipart_parts(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart body byte-exactly (the email parser may touch line endings)."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str):
        raise DecodeError("invalid_form_data")
    parts: list[Part] = []
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            disposition[key.strip()] = value.strip()
        name = disposition.get_param("name", header="content-disposition")
        filename = disposition.get_param("filename", header="content-disposition")
        parts.append(
            Part(
                name=name if isinstance(name, str) else "",
                filename=filename if isinstance(filename, str) else None,
                data=data.removesuffix(b"\r\n"),
            )
        )
    return parts


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError as error:
        raise DecodeError("invalid_json") from error
    if not isinstance(value, dict):
        raise DecodeError("invalid_json")
    return value


def _decoded(key: str, value: Any) -> Any:
    if key not in JSON_STRING_FIELDS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
