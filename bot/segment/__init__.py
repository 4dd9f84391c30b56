"""The Segment-spec tracking API: messages as contract events, and anonymous history."""
