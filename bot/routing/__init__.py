"""Routing a hot lead to a person: accounts and owners, reps' availability, reassignment.

Kept free of ``bot.services`` imports at package level so the ingest path can
use ``assign`` inside its transaction without an import cycle.
"""
