"""The client's address, as the sign-in lockout and the API throttles see it.

It is ``REMOTE_ADDR`` unless the request came from a proxy named in ``TRUSTED_PROXY``: only
then is its ``X-Forwarded-For`` believed, read from the right and skipping the trusted
proxies themselves (the left-most entries are whatever the client wrote). Without the
setting a forged header changes nothing. No model imports: settings use ``parse_networks``.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str], name: str = "TRUSTED_PROXY") -> tuple[Network, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/24``); a typo stops the process."""
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} holds an address that is not one: {error}") from None


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(list(entries))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def from_trusted_proxy(request) -> bool:
    """Whether the request came straight from a proxy named in ``TRUSTED_PROXY``."""
    networks = _trusted(tuple(settings.TRUSTED_PROXY))
    remote = request.META.get("REMOTE_ADDR")
    return bool(networks) and remote is not None and _is_trusted(remote, networks)


def client_address(request) -> str | None:
    """The client's address as far as this deployment can know it (see the module text)."""
    remote = request.META.get("REMOTE_ADDR")
    networks = _trusted(tuple(settings.TRUSTED_PROXY))
    if not networks or remote is None or not _is_trusted(remote, networks):
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                # Garbage where an address should be: the proxy is the last we can vouch for.
                return remote
    return remote
