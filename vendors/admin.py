from django.contrib import admin

from vendors.models import BlamePhrase, EscalationNote, Vendor, VendorChase, VendorEscalation


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "support_email",
        "support_phone",
        "expected_response_minutes",
        "support_hours",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "aliases", "account_number", "contract_reference"]
    fieldsets = [
        (None, {"fields": ["name", "aliases", "is_active"]}),
        (
            "Support",
            {
                "fields": [
                    "support_email",
                    "support_phone",
                    "portal_url",
                    "support_hours",
                    "expected_response_minutes",
                ]
            },
        ),
        ("Contract", {"fields": ["account_number", "contract_reference", "notes"]}),
    ]


class EscalationNoteInline(admin.TabularInline):
    model = EscalationNote
    extra = 0
    fields = ["created_at", "author", "pushback", "body"]
    readonly_fields = ["created_at", "author"]
    raw_id_fields = ["author"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VendorEscalation)
class VendorEscalationAdmin(admin.ModelAdmin):
    """Status and its timestamps change only through the services (the ticket page's panel and
    the API), so the scorecard's history cannot be edited by hand here."""

    list_display = [
        "ticket",
        "vendor",
        "vendor_reference",
        "status",
        "opened_at",
        "acknowledged_at",
        "resolved_at",
        "next_chase_at",
    ]
    list_filter = ["status", "vendor", "rca_requested", "rca_received"]
    search_fields = ["vendor_reference", "summary", "vendor__name"]
    list_select_related = ["ticket", "vendor"]
    raw_id_fields = ["ticket", "opened_by"]
    readonly_fields = [
        "ticket",
        "vendor",
        "status",
        "opened_at",
        "opened_by",
        "acknowledged_at",
        "resolved_at",
        "acknowledge_by",
        "next_chase_at",
        "last_chase_due_at",
    ]
    inlines = [EscalationNoteInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(VendorChase)
class VendorChaseAdmin(admin.ModelAdmin):
    list_display = ["escalation", "due_at", "claimed_at"]
    raw_id_fields = ["escalation"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(BlamePhrase)
class BlamePhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["phrase"]
