"""The weekly calibration digest: report, Block Kit, chart, posting once per ISO week.

Other packages call these names (the scheduler ``post_weekly_digest``, the
slash command ``calibration_blocks``, the CLI ``calibration_report``), lazily.
"""
