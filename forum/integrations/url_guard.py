"""SSRF guard for admin-configured destinations (webhooks, helpdesk connectors).

A URL must be http(s) and every address its host resolves to must be a public internet
address. An admin may opt in to an on-premises host ("allow_private"), which then permits
loopback and private-network addresses - but never link-local (the cloud metadata service
lives at 169.254.169.254), multicast, unspecified or reserved ones: no legitimate helpdesk
listens there. The check runs when the URL is saved and again right before each delivery
(DNS may have changed since: rebinding), and the delivery connects to the address checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from forum.core.errors import Invalid
from forum.core.i18n import _, format_number

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
MAX_URL_CHARS = 2000


class UnsafeURL(Exception):
    """The destination may not be called; str(exc) says why in words an admin understands."""


@dataclass(frozen=True)
class Destination:
    """A checked URL: where to connect (address) and what to say in Host/SNI (host)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip: Address) -> Address:
    """The IPv4 address hidden in an IPv4-mapped (::ffff:a.b.c.d) or 6to4 IPv6 address, else ip itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.ipv4_mapped or ip.sixtofour or ip
    return ip


def refusal(ip: Address, allow_private: bool) -> str | None:
    """Why this address may not be called (None: it may), in the language of the request (if any)."""
    ip = _embedded_ipv4(ip)
    if ip.is_unspecified:
        return _("%(ip)s is an unspecified address.", ip=ip)
    if ip.is_link_local:
        return _("%(ip)s is a link-local address (such as the cloud metadata service); it is never allowed.", ip=ip)
    if ip.is_multicast:
        return _("%(ip)s is a multicast address; it is never allowed.", ip=ip)
    if ip.is_loopback:
        return None if allow_private else _on_premises(_("%(ip)s is a loopback address (this server itself).", ip=ip))
    if ip.is_reserved:
        return _("%(ip)s is a reserved address; it is never allowed.", ip=ip)
    if ip.is_private or not ip.is_global or getattr(ip, "is_site_local", False):  # fec0::/10 reads global on 3.11
        return None if allow_private else _on_premises(_("%(ip)s is a private network address.", ip=ip))
    return None


def _on_premises(reason: str) -> str:
    """The reason, and how an admin allows their own server after all."""
    return " ".join((reason, _("Tick “on-premises host” if this is your own server inside your network.")))


def _parts(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL(_("Enter the URL to deliver to."))
    if len(url) > MAX_URL_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in url.strip()):
        raise UnsafeURL(_("Enter a URL of at most %(count)s characters, without spaces.",
                          count=format_number(MAX_URL_CHARS)))
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL(_("Use an http:// or https:// URL."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Leave user names and passwords out of the URL: deliveries are authenticated by "
                          "signature."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(_("The port in this URL is not a number between 1 and 65535.")) from exc
    if not parts.hostname:
        raise UnsafeURL(_("The URL needs a host name."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _addresses(host: str, port: int, resolve: Resolver) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(_("The host name %(host)s could not be resolved.", host=host)) from exc
    if not found:
        raise UnsafeURL(_("The host name %(host)s could not be resolved.", host=host))
    return [ipaddress.ip_address(raw.split("%", 1)[0]) for raw in found]


def check(url: str, *, allow_private: bool = False, resolve: Resolver = system_resolver) -> Destination:
    """The destination to connect to; UnsafeURL when any address of the host is refused.

    Every address counts, not just the first: a host resolving to one public and one private
    address could otherwise be steered to the private one.
    """
    scheme, host, port, path = _parts(url)
    addresses = _addresses(host, port, resolve)
    for ip in addresses:
        reason = refusal(ip, allow_private)
        if reason is not None:
            raise UnsafeURL(reason if str(ip) == host
                            else _("%(host)s resolves to %(reason)s", host=host, reason=reason))
    return Destination(scheme, host, port, path, str(addresses[0]))


def validate(url: str, allow_private: bool, field: str = "url", resolve: Resolver = system_resolver) -> str:
    """The stripped URL, or Invalid({field: [why]}) for forms and the API."""
    try:
        check(url, allow_private=allow_private, resolve=resolve)
    except UnsafeURL as exc:
        raise Invalid({field: [str(exc)]}) from exc
    return url.strip()
