from django.contrib import admin

from accounts.admin import OrganisationFilter, OrganisationSpelling, organisation
from attachments.admin import AttachmentInline
from updates.models import Feedback, Loss, Notification, Promise, TimelineEntry


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "is_public", "author", "event", "created_at"]
    list_filter = ["kind", "is_public"]
    raw_id_fields = ["ticket", "author"]
    list_select_related = ["ticket", "author"]
    show_full_result_count = False
    inlines = [AttachmentInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # The timeline is a record of what the customer was told: never rewritten.
        return False


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ["ticket", "made_at", "due_at", "outcome", "closed_at", "is_first_response"]
    list_filter = ["outcome", "is_first_response", "priority"]
    raw_id_fields = ["ticket", "kept_by", "made_by"]
    list_select_related = ["ticket"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "ticket", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "ticket"]
    list_select_related = ["recipient", "ticket"]
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kept_informed", "resolved", "created_at"]
    raw_id_fields = ["ticket", "author"]


@admin.register(Loss)
class LossAdmin(OrganisationSpelling, admin.ModelAdmin):
    list_display = [organisation, "category", "ticket", "created_at"]
    list_filter = ["category", ("organization", OrganisationFilter)]
    raw_id_fields = ["ticket", "feedback", "recorded_by"]
    list_select_related = ["organization", "ticket"]
