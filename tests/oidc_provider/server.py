"""Run the test OpenID provider: ``python -m tests.oidc_provider.server PORT CONFIG_JSON``.

CONFIG_JSON names the client (id, secret, redirect URI) and the users (username, password,
email, name, groups, verified). The process migrates its own SQLite database, creates them, prints
"ready" and serves until it is terminated.
"""

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    port, config = int(sys.argv[1]), json.loads(sys.argv[2])
    call_command("migrate", verbosity=0)
    for person in config["users"]:
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("name", ""),
            last_name="" if person.get("verified", True) else "unverified",
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    client = config["client"]
    Application.objects.create(
        name="Service desk",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
