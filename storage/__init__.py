"""Schema, engine and every query. Functions take a session, keyword-only."""
