"""Pure scoring domain: rule sets, events, evaluation, decay and calibration.

Nothing in this package touches a clock, a database, a file or Slack; callers
pass ``now`` and data in, and get numbers and explanations back.
"""
