"""An admin installs the app from manifest.yml: it asks for exactly what the code uses.

"What the code uses" is read from the source: every Web API method called on a
client, every ``say``, every ``app.event``/``app.command``/``app.action``
registration, each mapped to the bot scope Slack requires for it. A new call
to a method missing from ``SCOPES`` fails here until someone decides its scope;
a scope no code needs any more fails here until it is dropped from the manifest.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk import WebClient

from bot.listeners.events.metadata import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
NOT_THE_APP = ("slack_emulator", "demo")
"""Code that plays Slack or the CRM (the emulator, the demo's sample traffic), not the app."""

SCOPES: dict[str, frozenset[str]] = {
    # chat.* (chat.getPermalink needs no scope)
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_delete": frozenset({"chat:write"}),
    "chat_getPermalink": frozenset(),
    # files upload v2 = files.getUploadURLExternal + files.completeUploadExternal
    "files_upload_v2": frozenset({"files:write"}),
    "files_getUploadURLExternal": frozenset({"files:write"}),
    "files_completeUploadExternal": frozenset({"files:write"}),
    # alert channels may be public or private
    "conversations_history": frozenset({"channels:history", "groups:history"}),
    "conversations_replies": frozenset({"channels:history", "groups:history"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "users_info": frozenset({"users:read"}),
    "users_lookupByEmail": frozenset({"users:read", "users:read.email"}),
    # views.* and auth.test need no scope
    "views_publish": frozenset(),
    "views_open": frozenset(),
    "views_update": frozenset(),
    "views_push": frozenset(),
    "auth_test": frozenset(),
}
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "message_metadata_posted": frozenset({"metadata.message:read"}),
    "app_home_opened": frozenset(),
}
WEB_API_METHODS = frozenset(
    name for name in dir(WebClient) if not name.startswith("_") and name != "api_call"
)


@dataclass
class CodeUse:
    methods: dict[str, list[str]] = field(default_factory=dict)
    events: set[str] = field(default_factory=set)
    commands: set[str] = field(default_factory=set)
    interactive: bool = False
    says: bool = False


def _app_files() -> list[Path]:
    return [
        path
        for path in sorted(BOT.rglob("*.py"))
        if not any(part in NOT_THE_APP for part in path.relative_to(BOT).parts)
    ]


def _string_constants(trees: list[ast.Module]) -> dict[str, str]:
    constants: dict[str, str] = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        constants[target.id] = node.value.value
    return constants


def _literal(node: ast.expr, constants: dict[str, str]) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    raise AssertionError(f"cannot read a listener's name from {ast.unparse(node)!r}")


def scan_code() -> CodeUse:
    files = _app_files()
    trees = [ast.parse(path.read_text(), filename=str(path)) for path in files]
    constants = _string_constants(trees)
    use = CodeUse()
    for path, tree in zip(files, trees, strict=True):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "say":
                use.says = True
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr in WEB_API_METHODS:
                use.methods.setdefault(func.attr, []).append(f"{where}:{node.lineno}")
            registering = isinstance(func.value, ast.Name) and func.value.id == "app"
            if registering and func.attr == "event":
                use.events.add(_literal(node.args[0], constants))
            elif registering and func.attr == "command":
                use.commands.add(_literal(node.args[0], constants))
            elif registering and func.attr in ("action", "view", "shortcut", "options"):
                use.interactive = True
    return use


def needed_scopes(use: CodeUse) -> dict[str, str]:
    """Each scope the code needs, with one place that needs it."""
    unknown = sorted(set(use.methods) - set(SCOPES))
    assert not unknown, f"add the bot scope of {unknown} to SCOPES ({use.methods[unknown[0]]})"
    needs: dict[str, str] = {}
    for method, places in use.methods.items():
        for scope in SCOPES[method]:
            needs.setdefault(scope, f"{method} at {places[0]}")
    for event in use.events:
        assert event in EVENT_SCOPES, f"add the scope of event {event!r} to EVENT_SCOPES"
        for scope in EVENT_SCOPES[event]:
            needs.setdefault(scope, f"app.event({event!r})")
    if use.commands:
        needs["commands"] = f"app.command({sorted(use.commands)[0]!r})"
    if use.says:
        needs.setdefault("chat:write", "say()")
    return needs


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


MANIFESTS = ["manifest.yml", "manifest.socket-mode.yml"]


@pytest.fixture(scope="module")
def code() -> CodeUse:
    use = scan_code()
    assert "message_metadata_posted" in use.events, "the scan no longer finds listeners"
    return use


@pytest.mark.parametrize("name", MANIFESTS)
def test_bot_scopes_are_exactly_what_the_code_uses(name: str, code: CodeUse) -> None:
    declared = set(load(name)["oauth_config"]["scopes"]["bot"])
    needs = needed_scopes(code)
    missing = {scope: why for scope, why in needs.items() if scope not in declared}
    assert not missing, f"{name} lacks scopes the code needs: {missing}"
    unused = declared - set(needs)
    assert not unused, f"{name} asks for scopes no code uses: {sorted(unused)}"
    assert "user" not in load(name)["oauth_config"]["scopes"], "no user token is used"


@pytest.mark.parametrize("name", MANIFESTS)
def test_subscribed_events_are_the_ones_listened_to(name: str, code: CodeUse) -> None:
    subscriptions = load(name)["settings"]["event_subscriptions"]
    assert set(subscriptions["bot_events"]) == code.events
    assert "user_events" not in subscriptions


@pytest.mark.parametrize("name", MANIFESTS)
def test_metadata_subscriptions_cover_every_event_type_we_ingest(name: str) -> None:
    subscriptions = load(name)["settings"]["event_subscriptions"]["metadata_subscriptions"]
    assert {s["event_type"] for s in subscriptions} == set(EVENT_TYPES)
    assert all(set(s) == {"app_id", "event_type"} for s in subscriptions)
    assert all(s["app_id"] == "*" for s in subscriptions)  # whichever CRM app posts them


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_command_buttons_and_home_tab_are_declared(name: str, code: CodeUse) -> None:
    manifest = load(name)
    features = manifest["features"]
    commands = {c["command"]: c for c in features["slash_commands"]}
    assert set(commands) == code.commands == {"/leadscore"}
    leadscore = commands["/leadscore"]
    assert leadscore["description"]
    assert leadscore["usage_hint"] == (
        "[email | company | top [N] [hot|warm|all] | rules | calibrate [days] | help]"
    )
    assert manifest["settings"]["interactivity"]["is_enabled"] is code.interactive is True
    assert features["app_home"]["home_tab_enabled"] is ("app_home_opened" in code.events)
    assert features["app_home"]["messages_tab_enabled"] is False  # the bot reads no DMs
    assert features["bot_user"]["display_name"]


def test_http_manifest_points_every_request_url_at_slack_events() -> None:
    manifest = load("manifest.yml")
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert urls == ["https://YOUR-HOST/slack/events"] * len(urls)
    assert settings["socket_mode_enabled"] is False


def test_socket_mode_manifest_has_no_request_urls_and_is_otherwise_the_same() -> None:
    http, socket = load("manifest.yml"), load("manifest.socket-mode.yml")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "https://" not in (ROOT / "manifest.socket-mode.yml").read_text().split("_metadata")[1]
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    for command in http["features"]["slash_commands"]:
        del command["url"]
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_shape_follows_slacks_v2_schema(name: str) -> None:
    """The parts of Slack's manifest schema 2.0.0 that an install would reject."""
    manifest = load(name)
    assert manifest["_metadata"]["major_version"] == 2
    assert set(manifest) <= {
        "_metadata",
        "display_information",
        "features",
        "oauth_config",
        "settings",
    }
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert 1 <= len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert set(manifest["features"]) <= {"app_home", "bot_user", "slash_commands"}
    assert set(manifest["settings"]) <= {
        "event_subscriptions",
        "interactivity",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
    }
    for command in manifest["features"]["slash_commands"]:
        assert command["command"].startswith("/") and len(command["command"]) <= 32
        assert set(command) <= {"command", "url", "description", "usage_hint", "should_escape"}
        assert len(command["usage_hint"]) <= 1000
