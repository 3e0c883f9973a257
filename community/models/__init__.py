"""The models, one module per aggregate; importing this package registers them all."""

from community.models.comment import Comment, CommentStatus
from community.models.imported import OldLink
from community.models.like import CommentLike, PostLike
from community.models.moderation import LogEntry, ModerationSettings, Report, ReportReason
from community.models.notification import (
    EventKind, MessageStatus, Notice, OutboxEvent, OutboxMessage, Subscriber, Subscription, SubscriptionKind,
)
from community.models.post import Post, PostStatus
from community.models.spam import CommentFingerprint, SpamToken, SpamTotals
from community.models.user import Role, User

__all__ = [
    "Comment", "CommentFingerprint", "CommentLike", "CommentStatus", "EventKind", "LogEntry", "MessageStatus",
    "ModerationSettings", "Notice", "OldLink", "OutboxEvent", "OutboxMessage", "Post", "PostLike", "PostStatus", "Report",
    "ReportReason", "Role", "SpamToken", "SpamTotals", "Subscriber", "Subscription", "SubscriptionKind", "User",
]
