"""What a leaked request body would show in the logs is masked: emails, response URLs, tokens.

The code logs leads by id; this is the safety net for text that slips through
(a library logging a request, an exception message quoting input), through the
formatter ``leadscore serve`` installs.
"""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import LogfmtFormatter, RedactingFilter

SLASH_COMMAND_BODY = (
    "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&command=%2Fleadscore"
    "&text=secret.person%40acme.io&user_id=U01"
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0001%2F1234%2FabcSECRETdef"
)
LEAKS = {
    "url-encoded email": ("text=secret.person%40acme.io", "secret.person"),
    "double-encoded email": ("q=secret.person%2540acme.io", "secret.person"),
    "quoted email": ('to "secret person"@acme.io', "secret person"),
    "json-escaped email": ('{"email": "secret.person\\u0040acme.io"}', "secret.person"),
    "response url": ("https://hooks.slack.com/actions/T0001/99/abcSECRETdef", "abcSECRETdef"),
    "encoded response url": (SLASH_COMMAND_BODY, "abcSECRETdef"),
    "form token": (SLASH_COMMAND_BODY, "gIkuvaNzQIHg97ATvDxqgjtO"),
    "json token": (
        '{"token": "gIkuvaNzQIHg97ATvDxqgjtO", "type": "x"}',
        "gIkuvaNzQIHg97ATvDxqgjtO",
    ),
    "bot token": ("Bearer xoxb-1234-5678-abcdefSECRET", "abcdefSECRET"),
    "refresh token": ("xoxe.xoxp-1-abcdefSECRET", "abcdefSECRET"),
}


@pytest.mark.parametrize("name", list(LEAKS))
def test_a_leaked_secret_never_reaches_the_log_output(name: str) -> None:
    line, secret = LEAKS[name]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(RedactingFilter())
    log = logging.getLogger(f"tests.redaction.{name}")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("request failed: %s", line, extra={"body": line})
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert output.count("\n") == 1
    assert secret not in output, output
    assert "request failed" in output


def test_ordinary_lines_are_left_alone() -> None:
    text = "ingest batch accepted=3 lead=42 token_count=7 ts=1700000000.000100 v1=abc"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogfmtFormatter())
    record = logging.LogRecord("x", logging.INFO, __file__, 1, text, None, None)
    handler.emit(record)
    assert text in stream.getvalue()
