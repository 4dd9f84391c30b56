"""Test helpers shared by every test package (databases, servers, events)."""
