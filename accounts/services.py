"""Writes to organisations and people, for the API and any other caller.

Each validates the whole object with the model's own rules (full_clean) before saving, and raises
django.core.exceptions.ValidationError keyed by field name.
"""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import sessions, signals
from accounts.models import Organization, Role, User

ORGANIZATION_FIELDS = frozenset(
    {
        "name",
        "timezone",
        "business_opens",
        "business_closes",
        "business_weekdays",
        "holiday_country",
        "holiday_subdivision",
        "support_plan",
    }
)


def _save_organization(organization: Organization) -> Organization:
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as error:
        # Two callers creating the same name at once: the unique index decides.
        raise ValidationError({"name": "An organisation with this name already exists."}) from error
    return organization


def create_organization(**fields: Any) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    return _save_organization(Organization(**fields))


def update_organization(organization: Organization, *, changes: dict[str, Any]) -> Organization:
    unknown = set(changes) - ORGANIZATION_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for name, value in changes.items():
        setattr(organization, name, value)
    return _save_organization(organization)


def create_user(
    *,
    email: str,
    password: str,
    role: str,
    name: str = "",
    organization: Organization | None = None,
    sees_organization_tickets: bool = False,
    timezone: str = "",
) -> User:
    """A new agent, manager or customer contact, with a password that passes the validators."""
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": f"Use one of: {', '.join(Role.values)}."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already signs in with this email address."})
    user = User(
        email=email,
        name=name,
        role=role,
        organization=organization,
        sees_organization_tickets=sees_organization_tickets,
        timezone=timezone,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(
            {"email": "Someone already signs in with this email address."}
        ) from error
    return user


USER_CHANGE_FIELDS = frozenset(
    {
        "name",
        "role",
        "organization",
        "sees_organization_tickets",
        "timezone",
        "is_active",
        "triage_duty_setting",
        "notification_email_off",
    }
)


def update_user(
    user: User, *, changes: dict[str, Any], actor: User | None = None, request: Any = None
) -> User:
    """Change a person (API.md ``PATCH /api/v1/users/{id}/``). A role change and a deactivation
    are announced for the audit log; deactivating signs them out everywhere (their API tokens
    answer 401 from then on, as an inactive user's do)."""
    unknown = set(changes) - USER_CHANGE_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    old_role, was_active = user.role, user.is_active
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        if user.role != old_role:
            signals.role_changed.send(
                sender=User, user=user, actor=actor, request=request, old=old_role, new=user.role
            )
        if was_active and not user.is_active:
            sessions.sign_out(user)
            signals.user_deactivated.send(sender=User, user=user, actor=actor, request=request)
        if changes:
            signals.settings_changed.send(
                sender=User, target=user, actor=actor, request=request, fields=sorted(changes)
            )
    return user


def deactivate_user(user: User, *, actor: User | None = None, request: Any = None) -> User:
    """Switch an account off: signed out everywhere, its API tokens refused at once."""
    if not user.is_active:
        sessions.sign_out(user)
        return user
    return update_user(user, changes={"is_active": False}, actor=actor, request=request)


def set_contacts_sign_in_by_link_only(
    organization: Organization, value: bool, *, actor: User, request: Any = None
) -> Organization:
    """An organisation admin decides their contacts sign in only with an emailed link."""
    with transaction.atomic():
        organization.contacts_sign_in_by_link_only = value
        organization.save(update_fields=["contacts_sign_in_by_link_only"])
        signals.settings_changed.send(
            sender=Organization,
            target=organization,
            actor=actor,
            request=request,
            fields=["contacts_sign_in_by_link_only"],
        )
    return organization
