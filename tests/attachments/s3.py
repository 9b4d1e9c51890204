"""A real S3-compatible server for the attachment tests: moto's standalone server, started as a
process on 127.0.0.1 on a free port, and the attachment storage exactly as servicedesk/settings.py
builds it from the documented ATTACHMENTS_S3_* variables (read in a fresh process, as a deployment
would)."""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings as django_settings

ACCESS_KEY = "local-test-key"
SECRET_KEY = "local-test-secret"
REGION = "eu-west-2"
BUCKET = "sd-attachments-test"
PREFIX = "desk-files"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any AWS or attachment setting a developer's shell may
    carry (profiles, credentials, endpoints), and with boto3's files and the instance metadata
    service switched off, so nothing but what a test sets is used."""
    empty = Path(tempfile.gettempdir()) / "no-aws-config-here"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "ATTACHMENTS_", "BOTO_"))
    }
    environment |= {
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return environment | extra


@dataclass
class S3Server:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_s3_server() -> S3Server:
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="moto-server-")) / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
        env=clean_environment(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 60
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/moto-api/")
            connection.getresponse().read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"moto's server did not start; see {log}") from None
            time.sleep(0.1)
        finally:
            connection.close()
    return S3Server(url=f"http://127.0.0.1:{port}", process=process)


def documented_variables(server: S3Server) -> dict[str, str]:
    """docs/attachments.md's variables, pointed at the local server."""
    return {
        "ATTACHMENTS_S3_BUCKET": BUCKET,
        "ATTACHMENTS_S3_ENDPOINT_URL": server.url,
        "ATTACHMENTS_S3_REGION": REGION,
        "ATTACHMENTS_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "ATTACHMENTS_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "ATTACHMENTS_S3_PREFIX": PREFIX,
    }


def storage_from_settings(variables: dict[str, str]) -> dict:
    """STORAGES["attachments"] as servicedesk/settings.py builds it from these variables, read
    in a new process (the test process's settings are already loaded)."""
    program = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['attachments'], default=str))"
    )
    environment = clean_environment(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        SECRET_KEY="x",
        DATABASE_URL="sqlite://:memory:",
        **variables,
    )
    output = subprocess.run(
        [sys.executable, "-c", program],
        cwd=django_settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])
