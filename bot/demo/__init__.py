"""``leadscore demo``: the real app end to end against the local Slack emulator."""
