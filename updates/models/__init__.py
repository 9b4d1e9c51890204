"""The timeline of a ticket and the ledger of every "next update by" promise made on it, with
the keeper's and the notifications' rows: one module per concern, imported here for Django and
for callers (`from updates.models import Promise`)."""

from updates.models.feedback import (
    EMAIL_OPTIONAL_KINDS,
    Feedback,
    Loss,
    LossCategory,
    Notification,
    NotificationKind,
)
from updates.models.keeper import (
    AlertStage,
    AlertStatus,
    OutboxChannel,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    SweepHeartbeat,
    TriageDigestItem,
)
from updates.models.timeline import (
    EntryKind,
    Promise,
    PromiseOutcome,
    PromiseTally,
    TimelineEntry,
)

__all__ = [
    "EMAIL_OPTIONAL_KINDS",
    "AlertStage",
    "AlertStatus",
    "EntryKind",
    "Feedback",
    "Loss",
    "LossCategory",
    "Notification",
    "NotificationKind",
    "OutboxChannel",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Promise",
    "PromiseAlert",
    "PromiseOutcome",
    "PromiseTally",
    "SweepHeartbeat",
    "TimelineEntry",
    "TriageDigestItem",
]
