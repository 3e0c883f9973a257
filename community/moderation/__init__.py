"""Moderation: the queue, reports, accounts, the rules and the log, for moderators and admins."""
