"""The one way to claim rows that several workers may reach for at once: due alerts (the sweep),
outbox messages (delivery and the re-queue) and due vendor chases (vendors.services).
"""

from django.db import connection
from django.db.models import Model, QuerySet


def claim(queryset: QuerySet, limit: int | None = None, **changes) -> list[int]:
    """Claim the rows of `queryset` no one else is claiming, apply `changes`, return their ids.

    1. Where the database has SKIP LOCKED (PostgreSQL): lock the matching rows, skipping rows
       another transaction holds, then update exactly those. Concurrent claimers never wait
       for each other and never get the same row.
    2. Elsewhere (SQLite, the embedded default): compare-and-set each row, re-applying the
       queryset's own filter in the UPDATE, so only one claimer sees "1 row changed".
    Call inside a transaction; the claim holds until it commits.
    """
    model: type[Model] = queryset.model
    if connection.features.has_select_for_update_skip_locked:
        rows = queryset.select_for_update(skip_locked=True, of=("self",)).values_list(
            "pk", flat=True
        )
        ids = list(rows[:limit] if limit else rows)
        if ids and changes:
            model.objects.filter(pk__in=ids).update(**changes)
        return ids
    rows = queryset.values_list("pk", flat=True)
    candidates = list(rows[:limit] if limit else rows)
    return [pk for pk in candidates if queryset.filter(pk=pk).update(**changes) == 1]
