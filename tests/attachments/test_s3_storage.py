"""Attachments in an S3-compatible bucket (docs/attachments.md "Storage"), against a real server:
moto's standalone S3 server on 127.0.0.1 (tests/attachments/s3.py), configured only through the
documented ATTACHMENTS_S3_* variables as servicedesk/settings.py reads them. Uploads from the API
and the composer land in the bucket under generated names, downloads stream the object through the
permission check, deleting a ticket deletes its objects, and the orphan finder lists the bucket.
No request leaves 127.0.0.1 and no AWS credential from the environment is used."""

import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO

import boto3
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from attachments.models import Attachment
from attachments.storage import attachment_storage
from tests.attachments import s3
from tests.attachments.conftest import PNG, upload
from tests.tickets.helpers import client_for, owned_ticket
from updates import services
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

GENERATED_KEY = re.compile(rf"{s3.PREFIX}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}")
CANARY = b"CANARY-s3-object-5d1e"
LOOPBACK = {"127.0.0.1", "::1"}
ORPHAN_FINDER = "sd-test-orphan-finder"


@pytest.fixture(scope="module")
def s3_server():
    server = s3.start_s3_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def s3_storage_setting(s3_server):
    return s3.storage_from_settings(s3.documented_variables(s3_server))


@pytest.fixture(autouse=True)
def _only_loopback(monkeypatch):
    """Any connection this process opens to an address other than 127.0.0.1 fails the test."""
    refused = []
    original = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            refused.append(address)
            raise AssertionError(f"a connection to {address} left 127.0.0.1")
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert refused == []


class Bucket:
    """The test's view of the bucket (its own boto3 client) and of what the desk sent it."""

    def __init__(self, server: s3.S3Server):
        self.client = boto3.client(
            "s3",
            endpoint_url=server.url,
            region_name=s3.REGION,
            aws_access_key_id=s3.ACCESS_KEY,
            aws_secret_access_key=s3.SECRET_KEY,
        )
        # (url, Authorization) of every request the desk's own storage made
        self.sent: list[tuple[str, str]] = []

    def record(self, request, **_) -> None:
        self.sent.append((request.url, request.headers.get("Authorization", b"").decode()))

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=s3.BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=s3.BUCKET, Key=key)["Body"].read()

    def put(self, key: str, body: bytes = b"x") -> None:
        self.client.put_object(Bucket=s3.BUCKET, Key=key, Body=body)

    def empty(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=s3.BUCKET, Key=key)


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path, s3_server, s3_storage_setting):
    """The desk's attachments in the local bucket, emptied first. The environment carries
    decoy AWS credentials and no AWS config: the documented variables alone must be used."""
    for name in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA-DECOY-FROM-THE-ENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "decoy-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings.STORAGES = {**settings.STORAGES, "attachments": s3_storage_setting}
    view = Bucket(s3_server)
    attachment_storage().connection.meta.client.meta.events.register("before-send.s3", view.record)
    try:
        view.client.create_bucket(
            Bucket=s3.BUCKET, CreateBucketConfiguration={"LocationConstraint": s3.REGION}
        )
    except view.client.exceptions.BucketAlreadyOwnedByYou:
        view.empty()
    yield view
    # Every request the desk made went to the configured endpoint, signed with the configured
    # key, never the environment's.
    for url, authorization in view.sent:
        assert url.startswith(f"{s3_server.url}/{s3.BUCKET}"), url
        assert f"Credential={s3.ACCESS_KEY}/" in authorization, authorization


def test_the_documented_variables_configure_the_s3_storage(s3_server, s3_storage_setting):
    assert s3_storage_setting["BACKEND"] == "storages.backends.s3.S3Storage"
    expected = {
        "bucket_name": s3.BUCKET,
        "endpoint_url": s3_server.url,
        "region_name": s3.REGION,
        "access_key": s3.ACCESS_KEY,
        "secret_key": s3.SECRET_KEY,
        "location": s3.PREFIX,
        "default_acl": "private",
        "file_overwrite": False,
    }
    options = s3_storage_setting["OPTIONS"]
    assert {name: options.get(name) for name in expected} == expected
    # Without a bucket the files stay on the filesystem, in ATTACHMENTS_DIR.
    local = s3.storage_from_settings({"ATTACHMENTS_DIR": "/srv/desk-files"})
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["location"] == "/srv/desk-files"


def test_an_api_upload_is_stored_in_the_bucket_under_a_generated_name(
    api_client_for, agent, ticket, bucket
):
    response = api_client_for(agent).post(
        f"/api/v1/tickets/{ticket.pk}/updates/",
        {"body": "The report.", "attachments": [upload("Quarterly report.txt", CANARY)]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get(pk=response.json()["attachments"][0]["id"])
    key = f"{s3.PREFIX}/{attachment.stored_name}"
    assert bucket.keys() == [key]
    assert GENERATED_KEY.fullmatch(key)
    assert "report" not in key.lower()
    assert bucket.body(key) == CANARY
    assert attachment.filename == "Quarterly report.txt"
    # Written private: nobody but the owner is granted anything.
    grants = bucket.client.get_object_acl(Bucket=s3.BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]


def test_the_staff_composer_stores_its_files_in_the_bucket(agent, bucket):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/public/",
        {
            "body": "We are on it.",
            "promise": "default",
            "status": ticket.status,
            "attachments": [upload("spooler.log", CANARY), upload("screen.png", PNG)],
        },
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE)
    stored = {a.filename: f"{s3.PREFIX}/{a.stored_name}" for a in entry.attachments.all()}
    assert bucket.keys() == sorted(stored.values())
    assert all(GENERATED_KEY.fullmatch(key) for key in stored.values())
    assert bucket.body(stored["spooler.log"]) == CANARY
    assert bucket.body(stored["screen.png"]) == PNG


@pytest.fixture
def public_file(ticket, agent, bucket):
    entry = services.post_public_update(
        ticket, author=agent, body="Log attached", attachments=[upload("log.txt", CANARY)]
    )
    return entry.attachments.get()


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_permitted_download_streams_the_objects_bytes(
    api_client_for, contact, public_file, bucket
):
    bucket.sent.clear()
    response = api_client_for(contact).get(f"/api/v1/attachments/{public_file.pk}/")
    assert response.status_code == 200
    assert response.streaming
    assert downloaded(response) == CANARY
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(CANARY))
    # Read from the local server (the fixture checks every request's address and key).
    assert any(url.endswith(public_file.stored_name) for url, _ in bucket.sent)


def test_a_thumbnail_is_read_from_the_bucket(api_client_for, contact, ticket, agent, bucket):
    entry = services.post_public_update(
        ticket, author=agent, body="Screenshot", attachments=[upload("shot.png", PNG)]
    )
    response = api_client_for(contact).get(
        f"/api/v1/attachments/{entry.attachments.get().pk}/preview/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert downloaded(response) == PNG


def test_a_contact_from_another_organisation_gets_404(api_client_for, other_contact, public_file):
    response = api_client_for(other_contact).get(f"/api/v1/attachments/{public_file.pk}/")
    assert response.status_code == 404
    assert CANARY not in downloaded(response)


def test_a_contact_never_gets_an_internal_notes_object(
    api_client_for, contact, ticket, agent, bucket
):
    entry = services.add_internal_note(
        ticket, author=agent, body="Vendor notes", attachments=[upload("vendor.txt", CANARY)]
    )
    response = api_client_for(contact).get(f"/api/v1/attachments/{entry.attachments.get().pk}/")
    assert response.status_code == 404
    assert CANARY not in downloaded(response)


def test_deleting_a_ticket_deletes_its_objects_once_committed(
    agent, organization, contact, bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.open_ticket(
            organization=organization,
            subject="Scanner offline",
            description="",
            impact=3,
            urgency=3,
            requester=contact,
            created_by=contact,
            attachments=[upload("a.txt")],
        )
        services.add_internal_note(ticket, author=agent, body="n", attachments=[upload("b.txt")])
    assert len(bucket.keys()) == 2
    bucket.put("other-app/unrelated")

    with django_capture_on_commit_callbacks(execute=True):
        ticket.delete()
    assert Attachment.objects.count() == 0
    assert bucket.keys() == ["other-app/unrelated"]


def run_orphan_finder(*options: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("find_orphan_attachments", *options, stdout=out, stderr=err)
    return out.getvalue().split(), err.getvalue()


def test_find_orphan_attachments_lists_and_deletes_only_unclaimed_objects(agent, ticket, bucket):
    entry = services.add_internal_note(ticket, author=agent, body="n", attachments=[upload()])
    kept = f"{s3.PREFIX}/{entry.attachments.get().stored_name}"
    bucket.put(f"{s3.PREFIX}/2026/01/leftover")
    bucket.put("other-app/not-ours")

    # Just written: too young to call an orphan (its post may still be committing).
    assert run_orphan_finder() == ([], "Found 0 orphan files.\n")
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert run_orphan_finder() == (["2026/01/leftover"], "Found 1 orphan file.\n")
        assert bucket.keys() == sorted(
            [kept, f"{s3.PREFIX}/2026/01/leftover", "other-app/not-ours"]
        )
        assert run_orphan_finder("--delete")[0] == ["2026/01/leftover"]
    assert bucket.keys() == sorted([kept, "other-app/not-ours"])


def test_the_command_finds_orphans_with_only_the_documented_variables(s3_server, bucket):
    """A deployment's run: a new process whose settings come from the environment alone."""
    bucket.put(f"{s3.PREFIX}/2025/11/left-by-a-crash", b"lost")
    database = connection.settings_dict
    result = subprocess.run(
        [sys.executable, "manage.py", "find_orphan_attachments", "--min-age-minutes", "0"],
        cwd=django_settings.BASE_DIR,
        env=s3.clean_environment(
            DJANGO_SETTINGS_MODULE="servicedesk.settings",
            SECRET_KEY="x",
            DATABASE_URL=(
                f"postgres://{database['USER']}"
                + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
                + f"@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
                + f"?application_name={ORPHAN_FINDER}"
            ),
            **s3.documented_variables(s3_server),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2025/11/left-by-a-crash"]
    assert "Found 1 orphan file." in result.stderr
    session_gone(ORPHAN_FINDER)


def session_gone(application_name: str, timeout: float = 10) -> None:
    """Wait (bounded) for the finished process's database session to end on the server, so the
    test database can be dropped at the end of the run on a busy machine."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
