"""Who may fetch a file: whoever may see its entry (DESIGN rule on visibility).

Staff see every ticket's files. A customer contact sees the files of public entries on the
tickets they may see (tickets.selectors.customer_visible_tickets, the portal's and the API's
rule); an internal note's files never. Anything else is None, which the views answer with 404.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from attachments.files import RASTER_IMAGE_TYPES, describe_type
from attachments.models import Attachment
from tickets.selectors import customer_visible_tickets
from tickets.web import pk_url


def visible_attachments(user: User) -> QuerySet[Attachment]:
    if not (user.is_authenticated and user.is_active):
        return Attachment.objects.none()
    if user.is_helpdesk_staff:
        return Attachment.objects.all()
    return Attachment.objects.filter(
        entry__is_public=True, ticket__in=customer_visible_tickets(user)
    )


def visible_attachment(user: User, pk: int) -> Attachment | None:
    return visible_attachments(user).filter(pk=pk).first()


@dataclass(frozen=True)
class FileLink:
    """An attachment as a page or the API lists it: plain values, read in one query for a whole
    timeline (`files_by_entry`)."""

    pk: int
    entry_id: int
    filename: str
    size: int
    content_type: str

    @property
    def url(self) -> str:
        return download_url(self.pk)

    @property
    def preview_url(self) -> str:
        """The thumbnail's address, for raster images only; empty for anything else."""
        if self.content_type not in RASTER_IMAGE_TYPES:
            return ""
        return pk_url("v1:attachment-preview")(self.pk)

    @property
    def kind(self) -> str:
        """What the file is, in a word or two, for the timeline's "name, size and type"."""
        return describe_type(self.content_type, self.filename)


def download_url(pk: int) -> str:
    return pk_url("v1:attachment")(pk)


def files_by_entry(entry_ids: Iterable[int], *, public_only: bool) -> dict[int, list[FileLink]]:
    """The files of these entries, by entry, in one query whatever their number. `public_only`
    for a customer's page: an internal note's files are left out even if its id slipped in."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = Attachment.objects.filter(entry_id__in=ids)
    if public_only:
        rows = rows.filter(entry__is_public=True)
    files: dict[int, list[FileLink]] = defaultdict(list)
    for values in rows.order_by("entry_id", "id").values_list(
        "pk", "entry_id", "filename", "size", "content_type"
    ):
        link = FileLink(*values)
        files[link.entry_id].append(link)
    return files
