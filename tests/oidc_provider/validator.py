from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """The claims a workplace directory gives: a verified email, a name and the groups.
    Each test user's email and groups are set by the test (server.py)."""

    # Every claim in the ID token and the userinfo answer, whatever the scopes.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.first_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
