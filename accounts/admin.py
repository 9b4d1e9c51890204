from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import CadenceRule, Organization, SupportPlan, User


class CadenceRuleInline(admin.TabularInline):
    model = CadenceRule
    extra = 0
    max_num = 4


@admin.register(SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [CadenceRuleInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "business_opens", "business_closes", "support_plan"]
    list_filter = ["support_plan", "timezone"]
    search_fields = ["name"]


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name", "role", "organization"]


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "organization", "is_active"]
    list_filter = ["role", "is_active", "organization"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Person",
            {"fields": ["name", "role", "organization", "sees_organization_tickets", "timezone"]},
        ),
        ("Access", {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "role", "organization", "password1", "password2"],
            },
        ),
    ]
