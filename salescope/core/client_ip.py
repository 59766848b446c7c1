"""The client's address: ``REMOTE_ADDR``, or behind a proxy the settings trust, the address
that proxy forwarded (R20).

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
request comes from an address in ``TRUSTED_PROXIES`` (addresses or networks, e.g.
``["10.0.0.0/8"]``; empty by default). Then the client is the right-most entry of the header
that is not itself a trusted proxy: entries left of it could have been invented by the client.
Login throttling and the audit trail both use this address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if remote is None or not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _valid(entry):
            return remote  # a garbled header: fall back to the proxy's own address
        if not _is_trusted(entry, networks):
            return entry
    return remote
