"""Block Kit views: small functions from domain objects to Slack messages.

Every view stays inside Slack's limits (see ``limits``) so a big company or a
long rule set is truncated with "and N more" instead of being refused by Slack.
"""
