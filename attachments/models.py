"""Files attached to timeline entries (docs/attachments.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from attachments.files import RASTER_IMAGE_TYPES


class Attachment(models.Model):
    """One stored file. Who may fetch it follows its entry: an internal note's files are staff
    only, like the note (attachments.selectors)."""

    # By name: updates sits above this app and calls it (docs/design.md, "The arrows").
    entry = models.ForeignKey(
        "updates.TimelineEntry", on_delete=models.CASCADE, related_name="attachments"
    )
    # Copied from the entry: the per-ticket total and a ticket's deletion need no join.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="attachments"
    )
    stored_name = models.CharField(
        max_length=200, unique=True, help_text="The generated name in the attachments storage."
    )
    filename = models.CharField(
        max_length=255, help_text="The name it was given, without any path or control character."
    )
    size = models.PositiveBigIntegerField(help_text="Bytes, as received.")
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["entry", "id"], name="attachment_entry")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_raster_image(self) -> bool:
        return self.content_type in RASTER_IMAGE_TYPES
