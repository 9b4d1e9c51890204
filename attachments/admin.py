from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from attachments.models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "human_size", "content_type", "ticket", "created_at"]
    list_select_related = ["ticket"]
    search_fields = ["filename"]
    raw_id_fields = ["ticket", "entry", "uploaded_by"]
    readonly_fields = ["stored_name", "filename", "size", "content_type", "created_at"]

    @admin.display(description="size", ordering="size")
    def human_size(self, attachment: Attachment) -> str:
        return filesizeformat(attachment.size)

    def has_add_permission(self, request) -> bool:
        return False  # files arrive with an update, never on their own


class AttachmentInline(admin.TabularInline):
    """The files of a timeline entry, on its admin page (name, size and type)."""

    model = Attachment
    fields = ["filename", "size", "content_type", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False
