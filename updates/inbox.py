"""The staff member's in-app notifications (the bell): marking them read."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from updates.models import Notification


def mark_read(notification: Notification, *, read: bool = True) -> Notification:
    """Mark one notification read (keeping the first moment it was read) or unread again."""
    if read and notification.read_at is None:
        notification.read_at = timezone.now()
    elif not read:
        notification.read_at = None
    notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(recipient: User) -> int:
    """Mark every unread notification of one person read; returns how many changed."""
    unread: QuerySet[Notification] = Notification.objects.filter(
        recipient=recipient, read_at__isnull=True
    )
    return unread.update(read_at=timezone.now())
