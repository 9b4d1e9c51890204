"""The URL guard (SSRF): a webhook never reaches an internal address unless it is allowed.

A URL is checked when a subscription is saved and again before every delivery: its host is
resolved once, every address is checked, and delivery connects to the address that was checked
(webhooks.sender), so a DNS answer that changes between the check and the connection (DNS
rebinding) cannot redirect it.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Loopback, private (RFC 1918, fc00::/7), link-local, shared (RFC 6598), unspecified, multicast;
# and "this network" and broadcast, which no webhook receiver can be either.
REFUSED_NETWORKS = [
    ipaddress.ip_network(cidr)
    for cidr in (
        "127.0.0.0/8",
        "::1/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
        "169.254.0.0/16",
        "fe80::/10",
        "100.64.0.0/10",
        "0.0.0.0/8",
        "::/128",
        "224.0.0.0/4",
        "ff00::/8",
        "255.255.255.255/32",
    )
]


class UrlRefused(ValueError):
    """The URL may not be called; the message says why, for the `url` field."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`) and what to call it (`host`)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr.strip(), strict=False)
        for cidr in settings.WEBHOOK_ALLOWED_NETWORKS.split(",")
        if cidr.strip()
    ]


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not be called, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    if any(address in network for network in allowed_networks()):
        return None
    for network in REFUSED_NETWORKS:
        if address.version == network.version and address in network:
            return f"{address} is an internal address ({network})"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal is itself). Tests patch this."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL, or UrlRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused("Enter a valid http or https URL.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("Enter a valid http or https URL.")
    if parts.username or parts.password:
        raise UrlRefused("Leave credentials out of the URL; the signature authenticates us.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def check(url: str) -> Target:
    """Resolve the URL's host once and check every address; the first one is the one to call.
    Raises UrlRefused when any address is internal (and not allowed) or nothing resolves."""
    scheme, host, port, path = split(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise UrlRefused(f"{host} does not resolve.") from error
    if not addresses:
        raise UrlRefused(f"{host} does not resolve.")
    for text in addresses:
        reason = refusal(ipaddress.ip_address(text.split("%")[0]))
        if reason:
            raise UrlRefused(
                f"{host} is refused: {reason}. Allow it in WEBHOOK_ALLOWED_NETWORKS if intended."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
