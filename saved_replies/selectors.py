"""Which saved replies a person sees: every shared one and their own (staff only)."""

from django.db.models import Q, QuerySet

from accounts.models import User
from saved_replies.models import SavedReply


def visible_replies(user: User) -> QuerySet[SavedReply]:
    if not user.is_authenticated or not user.is_helpdesk_staff:
        return SavedReply.objects.none()
    return (
        SavedReply.objects.filter(Q(shared=True) | Q(author=user))
        .select_related("author")
        .order_by("title", "id")
    )


def may_manage(user: User, reply: SavedReply) -> bool:
    """Managers manage the shared replies; everyone manages their own personal ones."""
    if reply.shared:
        return user.is_manager
    return reply.author_id == user.pk
