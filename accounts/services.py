"""Writes to organisations and people, for the API and any other caller.

Each validates the whole object with the model's own rules (full_clean) before saving, and raises
django.core.exceptions.ValidationError keyed by field name.
"""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
