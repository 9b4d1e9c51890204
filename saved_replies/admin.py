from django.contrib import admin

from saved_replies.models import SavedReply


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "shared", "usage_count")
    list_filter = ("shared",)
    search_fields = ("title", "body")
