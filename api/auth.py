"""POST /api/v1/auth/token/: trade an email and password (and, with two-factor on, a code) for an
API token (API.md "Staff sign-in")."""

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import two_factor
from api.base import StrictSerializer
from api.fields import StrictCharField
from api.schema import ERRORS_400
from api.throttling import TokenRequestThrottle
from audit.services import record


class CredentialsSerializer(StrictSerializer):
    username = StrictCharField(max_length=254, help_text="The email address you sign in with.")
    password = StrictCharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = StrictCharField(
        max_length=32,
        required=False,
        help_text="With two-factor on: a current code from the app, or an unused recovery code.",
    )


def _refusal(code: str, detail: str) -> Response:
    return Response({"code": code, "detail": detail, "otp": [detail]}, status=400)


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRequestThrottle]

    @extend_schema(
        summary="Get an API token",
        description="Send it back as `Authorization: Token <token>`. The same token is returned "
        "until it is revoked.",
        request=CredentialsSerializer,
        responses={
            200: inline_serializer("AuthToken", fields={"token": serializers.CharField()}),
            429: inline_serializer(
                "SignInLockedOut",
                fields={"detail": serializers.CharField(), "code": serializers.CharField()},
            ),
            **ERRORS_400,
        },
        examples=[
            OpenApiExample(
                "Sign in",
                value={"username": "alice@msp.example", "password": "her passphrase"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ],
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with that email address and password."]}
            )
        if user.is_contact and user.organization.contacts_sign_in_by_link_only:
            raise serializers.ValidationError(
                {
                    "password": [
                        "Your organisation signs in with an emailed link, not a password; "
                        "API tokens need a password sign-in."
                    ]
                }
            )
        if two_factor.must_enrol(user):
            return _refusal(
                "enrolment_required",
                "Set up two-factor sign-in at /account/two-factor/ before asking for a token.",
            )
        if user.two_factor_enabled:
            otp = serializer.validated_data.get("otp", "")
            if not otp:
                return _refusal("otp_required", "Send your two-factor code as otp.")
            if two_factor.verify_code_at_sign_in(request._request, user, otp) is None:
                return _refusal("otp_invalid", "That two-factor code is not right.")
        with transaction.atomic():
            token, _ = Token.objects.get_or_create(user=user)
            record(
                "token_created",
                actor=user,
                target=("user", user.pk),
                request=request._request,
                detail={"via": "password_and_code" if user.two_factor_enabled else "password"},
            )
        return Response({"token": token.key})
