"""Start the real OpenID provider (tests/oidc_provider) as a process on 127.0.0.1 and point the
service desk's single sign-on at it."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings

CLIENT_ID = "service-desk"
CLIENT_SECRET = "a-client-secret-for-tests"
PASSWORD = "provider-passphrase"

# The directory the provider knows: usernames, emails, groups, and whether the email is verified.
PEOPLE = [
    {
        "username": "alice",
        "email": "alice@msp.test",
        "name": "Alice Agent",
        "groups": ["sd-agents"],
    },
    {"username": "morgan", "email": "morgan@msp.test", "groups": ["sd-managers", "sd-agents"]},
    {
        "username": "newbie",
        "email": "new.hire@msp.test",
        "name": "New Hire",
        "groups": ["sd-agents"],
    },
    {"username": "unverified", "email": "unverified@msp.test", "verified": False},
    {"username": "priya", "email": "priya@northwind.test", "groups": ["sd-agents"]},
    {"username": "outsider", "email": "outsider@msp.test", "groups": ["finance"]},
]


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    discovery: dict

    def configure(self, settings) -> None:
        """Single sign-on on, pointed at this provider (pytest-django's ``settings``)."""
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = self.discovery["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = self.discovery["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = self.discovery["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = self.discovery["jwks_uri"]
        settings.OIDC_GROUP_ROLES = {"sd-managers": "manager", "sd-agents": "agent"}
        settings.AUTHENTICATION_BACKENDS = [
            *django_settings.AUTHENTICATION_BACKENDS,
            "accounts.oidc.StaffOIDCBackend",
        ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_provider(redirect_uris: list[str]) -> Provider:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    database = Path(tempfile.mkdtemp(prefix="oidc-provider-")) / "provider.sqlite3"
    port = _free_port()
    config = {
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uri": " ".join(redirect_uris),
        },
        "users": [{**person, "password": PASSWORD} for person in PEOPLE],
    }
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "TESTING"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(database),
        "OIDC_PROVIDER_KEY": pem,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.server", str(port), json.dumps(config)],
        cwd=django_settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(database.parent / "provider.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            discovery = requests.get(f"{url}/o/.well-known/openid-configuration", timeout=5)
            discovery.raise_for_status()
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.1)
    return Provider(url=url, process=process, discovery=discovery.json())


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()


def sign_in_at_provider(authorize_url: str, username: str) -> str:
    """What a person's browser does at the provider: sign in there, come back with a code.
    Returns the service desk callback URL the provider redirects to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    query = parse_qs(urlparse(page.url).query)
    answer = browser.post(
        page.url,
        data={
            "username": username,
            "password": PASSWORD,
            "next": query.get("next", [""])[0],
            "csrfmiddlewaretoken": browser.cookies["provider_csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    location = answer.headers["Location"]
    while location.startswith("/") or location.startswith(authorize_url.split("/o/")[0]):
        answer = browser.get(urljoin(page.url, location), allow_redirects=False, timeout=10)
        location = answer.headers["Location"]
    return location
