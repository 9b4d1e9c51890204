from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts import sessions, signals
from accounts.models import CadenceRule, Organization, SupportPlan, User

# The product writes "organisation"; the schema keeps Django's `organization` (renaming fields
# would mean migrations). Every admin page shows the product's word: labels, columns, filters.


def organisation_spelling(text: str) -> str:
    return text.replace("organization", "organisation").replace("Organization", "Organisation")


class OrganisationSpelling:
    """Form labels and help texts of every field (inlines' too) in the product's spelling."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            if formfield.label:
                formfield.label = organisation_spelling(str(formfield.label))
            if formfield.help_text:
                formfield.help_text = organisation_spelling(str(formfield.help_text))
        return formfield


class OrganisationFilter(admin.RelatedFieldListFilter):
    """`("organization", OrganisationFilter)` in list_filter: "By organisation"."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "organisation"


@admin.display(description="organisation", ordering="organization__name")
def organisation(obj) -> Organization | None:
    """The `organisation` column of a list (the model's `organization` field)."""
    return obj.organization


class CadenceRuleInline(OrganisationSpelling, admin.TabularInline):
    model = CadenceRule
    extra = 0
    max_num = 4


@admin.register(SupportPlan)
class SupportPlanAdmin(OrganisationSpelling, admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [CadenceRuleInline]


@admin.register(Organization)
class OrganizationAdmin(OrganisationSpelling, admin.ModelAdmin):
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
class UserAdmin(OrganisationSpelling, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", organisation, "is_active"]
    list_filter = ["role", "is_active", ("organization", OrganisationFilter)]
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

    def save_model(self, request, obj, form, change) -> None:
        """A role change and a deactivation made here are announced like the API's (the audit
        log records them); switching someone off signs them out everywhere."""
        old = User.objects.filter(pk=obj.pk).values("role", "is_active").first() if change else None
        super().save_model(request, obj, form, change)
        if old is None:
            return
        if old["role"] != obj.role:
            signals.role_changed.send(
                sender=User,
                user=obj,
                actor=request.user,
                request=request,
                old=old["role"],
                new=obj.role,
            )
        if old["is_active"] and not obj.is_active:
            sessions.sign_out(obj)
            signals.user_deactivated.send(
                sender=User, user=obj, actor=request.user, request=request
            )
