"""The HTTP surface: /slack/events (Bolt), /ingest, /healthz, /metrics."""
