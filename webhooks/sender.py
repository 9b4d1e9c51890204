"""One HTTP POST to a checked address (webhooks.guard.Target), signed the Standard Webhooks way.

urllib3 (already installed with requests) lets us connect to the address we checked while
sending the name in Host and TLS SNI and verifying the certificate against that name, and it
never follows a redirect unless asked: a 3xx is a failed attempt.
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

import urllib3

from webhooks.guard import Target
from webhooks.models import SECRET_PREFIX

USER_AGENT = "ServiceDesk-Webhooks/1.2"
# A receiver's answer is read up to this much (kept for nothing but closing the exchange cleanly).
MAX_RESPONSE_BYTES = 64 * 1024


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` with the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


@dataclass
class Outcome:
    status: int | None  # the HTTP status, None when there was no answer
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender:
    """Keeps one connection pool per checked address, so a batch to one receiver reuses its
    connection; close() when the batch is done."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def _pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, target.address, target.port, target.host)
        pool = self.pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    timeout=timeout,
                    retries=False,
                    maxsize=1,
                    server_hostname=target.host,  # SNI
                    assert_hostname=target.host,  # the certificate names the host, not the IP
                    cert_reqs="CERT_REQUIRED",
                )
            else:
                pool = urllib3.HTTPConnectionPool(
                    target.address, target.port, timeout=timeout, retries=False, maxsize=1
                )
            self.pools[key] = pool
        return pool

    def post(self, target: Target, body: bytes, headers: dict[str, str]) -> Outcome:
        default_port = 443 if target.scheme == "https" else 80
        host = f"[{target.host}]" if ":" in target.host else target.host
        host_header = host if target.port == default_port else f"{host}:{target.port}"
        started = time.monotonic()
        try:
            response = self._pool(target).urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                response.read(MAX_RESPONSE_BYTES)
            finally:
                response.release_conn()
            return Outcome(response.status, _ms_since(started))
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return Outcome(None, _ms_since(started), _describe(error))

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: Exception) -> str:
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return "timed out"
    return f"{type(error).__name__}: {error}"[:300]
