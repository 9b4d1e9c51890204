"""DRF's token and session authentication with the staff sign-in rules (docs/sign-in.md).

A deactivated user's token already fails in DRF (401). On top: someone whose role must use
two-factor and has not enrolled gets 403 ``enrolment_required`` whatever they authenticate with,
and a session counts only once it passed the second factor (the sign-in gate signs out one that
did not, so this is the second lock on the same door).
"""

from rest_framework import authentication, exceptions

from accounts.two_factor import must_enrol


class EnrolmentRequired(exceptions.PermissionDenied):
    default_detail = "Set up two-factor sign-in at /account/two-factor/ first."
    default_code = "enrolment_required"


def _check(result):
    if result is not None and must_enrol(result[0]):
        raise EnrolmentRequired()
    return result


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        return _check(super().authenticate(request))


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            user = result[0]
            verified = getattr(user, "is_verified", None)
            if user.two_factor_enabled and not (verified and verified()):
                raise exceptions.NotAuthenticated("Sign in again with your two-factor code.")
        return _check(result)
