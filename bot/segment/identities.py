"""Who each message is about: its email, or the id it waits under until one is known.

The Spec names a person by ``userId`` (the sender's own id) or
``anonymousId`` (a device or cookie), and says their email only in some
messages (an ``identify`` usually). A message with an email teaches it to
both of its ids; a message with both ids links the anonymous one to the
user, so the user's first email also claims the anonymous history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.segment.messages import Translated
from storage.segment import Identity


@dataclass
class Resolution:
    """Each message's email (None: it waits under ``waiting[i]``) and the identities changed."""

    emails: list[str | None]
    waiting: list[str | None]
    changed: dict[str, Identity] = field(default_factory=dict)

    def new_user_emails(self) -> dict[str, str]:
        """User ids that now have an email they did not have: their anonymous ids follow."""
        return {
            key: ident.email
            for key, ident in self.changed.items()
            if key.startswith("u") and ident.email is not None
        }

    def released_keys(self) -> dict[str, str]:
        """Ids whose email is new in this batch: their earlier pending events can go in."""
        return {key: ident.email for key, ident in self.changed.items() if ident.email is not None}


def resolve(messages: Sequence[Translated], known: dict[str, Identity]) -> Resolution:
    """Walk the messages in order, teaching ``known`` (the locked identities) as they say more."""
    resolution = Resolution(emails=[], waiting=[])
    for message in messages:
        email = _email_of(message, known)
        if message.user is not None and message.anonymous is not None:
            _link(message.anonymous, message.user, known, resolution.changed)
        if email is not None:
            for key in (message.user, message.anonymous):
                if key is not None:
                    _teach(key, email, known, resolution.changed)
        resolution.emails.append(email)
        resolution.waiting.append(None if email is not None else message.user or message.anonymous)
    for key, ident in list(known.items()):
        # an anonymous id linked to a user whose email came later in the batch
        if ident.email is None and (email := _known_email(key, known)) is not None:
            _teach(key, email, known, resolution.changed)
    for index, key in enumerate(resolution.waiting):
        # an id whose email came later in the same batch: its earlier messages go in now
        if key is not None and (email := _known_email(key, known)) is not None:
            resolution.emails[index] = email
            resolution.waiting[index] = None
    return resolution


def _email_of(message: Translated, known: dict[str, Identity]) -> str | None:
    if message.email is not None:
        return message.email
    for key in (message.user, message.anonymous):
        if key is not None and (email := _known_email(key, known)) is not None:
            return email
    return None


def _known_email(key: str, known: dict[str, Identity]) -> str | None:
    ident = known[key]
    if ident.email is not None:
        return ident.email
    linked = known.get(ident.linked_user) if ident.linked_user is not None else None
    return linked.email if linked is not None else None


def _teach(key: str, email: str, known: dict[str, Identity], changed: dict[str, Identity]) -> None:
    ident = known[key]
    if ident.email != email:
        ident.email = email
        changed[key] = ident


def _link(
    anonymous: str, user: str, known: dict[str, Identity], changed: dict[str, Identity]
) -> None:
    ident = known[anonymous]
    if ident.linked_user != user:
        ident.linked_user = user
        changed[anonymous] = ident
