"""Wiring: Slack (Bolt), HTTP, scheduler and CLI around scoring and storage."""
