"""Single sign-on for staff with OpenID Connect (Entra ID, Google Workspace, Okta...), through
mozilla-django-oidc (docs/sign-in.md).

- A person is matched by their email address, and only when the provider says it is verified
  (``email_verified``; OIDC_REQUIRE_VERIFIED_EMAIL).
- Only helpdesk staff sign in this way; a customer contact with that address is refused.
- Someone unknown is created on first sign-in as an agent when OIDC_CREATE_USERS is on.
- OIDC_GROUP_ROLES maps the provider's groups (claim OIDC_GROUPS_CLAIM) to roles; when it is set,
  each sign-in sets the role from the groups, and someone in none of them is refused.
- Someone with two-factor on still gives their code after the provider (the code step), and a role
  that must enrol enrols, exactly as after a password.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from accounts import signals
from accounts.models import Role, User

logger = logging.getLogger(__name__)

BACKEND = "accounts.oidc.StaffOIDCBackend"
# Shared with accounts.views: who gave the first factor, waiting for the code.
PENDING_KEY = "_two_factor_pending"


def role_from_groups(groups: Any) -> str | None:
    """The role the provider's groups give (manager wins over agent), or None for none."""
    mapping: dict[str, str] = settings.OIDC_GROUP_ROLES
    if isinstance(groups, str):
        groups = [groups]
    roles = {mapping[group] for group in groups or [] if group in mapping}
    for role in (Role.MANAGER, Role.AGENT):
        if role in roles:
            return role
    return None


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict:
        # Entra ID and Okta put groups in the ID token; the userinfo answer adds the rest.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims: dict) -> bool:
        if not claims.get("email"):
            return False
        if settings.OIDC_REQUIRE_VERIFIED_EMAIL and claims.get("email_verified") is not True:
            logger.warning("OIDC sign-in refused: the provider did not verify %s", claims["email"])
            return False
        return not (settings.OIDC_GROUP_ROLES and role_from_groups(self._groups(claims)) is None)

    def filter_users_by_claims(self, claims: dict):
        return User.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict) -> User | None:
        if not settings.OIDC_CREATE_USERS:
            return None
        role = role_from_groups(self._groups(claims)) or Role.AGENT
        user = User.objects.create_user(
            claims["email"].strip().lower(),
            password=None,
            name=claims.get("name", "")[:150],
            role=role,
        )
        logger.info("OIDC sign-in created %s as %s", user.email, role)
        return user

    def update_user(self, user: User, claims: dict) -> User:
        if not user.is_helpdesk_staff:
            raise SuspiciousOperation("Single sign-on is for helpdesk staff only.")
        role = role_from_groups(self._groups(claims)) if settings.OIDC_GROUP_ROLES else None
        if role and role != user.role and not user.is_superuser:
            old = user.role
            with transaction.atomic():
                user.role = role
                user.save(update_fields=["role", "is_staff"])
                signals.role_changed.send(
                    sender=User, user=user, actor=None, request=self.request, old=old, new=role
                )
        return user

    @staticmethod
    def _groups(claims: dict) -> Any:
        return claims.get(settings.OIDC_GROUPS_CLAIM, [])


class StaffOIDCCallbackView(OIDCAuthenticationCallbackView):
    """After the provider: someone with two-factor on goes to the code step instead of in."""

    def login_success(self) -> HttpResponse:
        if not self.user.two_factor_enabled:
            return super().login_success()
        self.request.session[PENDING_KEY] = {
            "user": self.user.pk,
            "backend": BACKEND,
            "next": self.success_url,
            "at": time.time(),
        }
        return redirect("login-code")
