"""Who may call what (API.md "Roles").

What a caller may not *see* is filtered out of the queryset and answers 404; these classes decide
what a caller may *do* with what they can see, and answer 403.
"""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsHelpdeskStaff(BasePermission):
    message = "This is for helpdesk staff."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.is_helpdesk_staff
        )


class IsManager(BasePermission):
    message = "This is for managers."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_manager)


class StaffReadManagerWrite(BasePermission):
    """Agents read, managers change (organisations)."""

    message = "Only managers make changes here."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_helpdesk_staff):
            self.message = "This is for helpdesk staff."
            return False
        return request.method in SAFE_METHODS or user.is_manager


class StaffMayChangeTickets(BasePermission):
    """Everyone reads the tickets they can see; only staff change them directly (a contact's
    PATCH answers 403, after the 404 for tickets they cannot see)."""

    message = "Customers cannot change a ticket this way; post an update instead."

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or request.user.is_helpdesk_staff


class IsHelpdeskStaffElseNotFound(BasePermission):
    """Vendor data (DESIGN rule 7): for a customer contact it does not exist at all, so every
    vendor and escalation endpoint answers them 404, exactly as a missing id does, never a 403
    that would confirm something is there. Anonymous callers still get 401 (sign in first)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not user.is_helpdesk_staff:
            raise NotFound()
        return True
