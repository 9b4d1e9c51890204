"""The staff member's in-app notifications (the bell): reads and marking read.

The promise keeper writes Notification rows; this module only reads them and records that their
recipient has seen them. Everything is scoped to the recipient: nobody can read or mark another
person's notifications (an id that is not theirs is simply not found).
"""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from updates.models import Notification

INBOX_PAGE_SIZE = 30


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# The bell's dropdown: the newest few, read or not.
MENU_SIZE = 10


def latest(user: User, limit: int = MENU_SIZE) -> list[Notification]:
    """The newest notifications, their tickets joined: one query whatever the number."""
    return list(
        Notification.objects.filter(recipient=user).select_related("ticket").order_by("-id")[:limit]
    )


def inbox(user: User, *, before_id: int | None = None) -> QuerySet[Notification]:
    """Newest first, a keyset page at a time (`before_id` is the last id already shown)."""
    queryset = Notification.objects.filter(recipient=user).select_related("ticket")
    if before_id is not None:
        queryset = queryset.filter(id__lt=before_id)
    return queryset.order_by("-id")


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read (idempotent); None when it is not theirs."""
    notification = (
        Notification.objects.filter(recipient=user, pk=notification_id)
        .select_related("ticket")
        .first()
    )
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_read(notification: Notification, *, read: bool = True) -> Notification:
    """Mark one notification read (keeping the first moment it was read) or unread again."""
    if read and notification.read_at is None:
        notification.read_at = timezone.now()
    elif not read:
        notification.read_at = None
    notification.save(update_fields=["read_at"])
    return notification
