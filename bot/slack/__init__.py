"""The Bolt app."""
