from django.contrib import admin

from inbound.models import InboundMessage, MailboxState


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "outcome", "reason", "ticket"]
    list_filter = ["outcome", "reason", "via"]
    search_fields = ["sender", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = [
        field.name for field in InboundMessage._meta.fields if field.name not in ("raw", "id")
    ]


@admin.register(MailboxState)
class MailboxStateAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "uidvalidity", "last_uid", "polled_at"]
