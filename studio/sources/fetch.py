"""Fetching a web page as a knowledge source, within limits.

* Only ``http`` and ``https`` URLs.
* Never an address on this machine or a private network (loopback, RFC 1918, link-local, CGNAT,
  multicast, reserved, unique-local IPv6 …) unless an admin allows it
  (``STUDIO_SOURCES_ALLOW_PRIVATE_URLS``). The check is made on the address the connection
  actually goes to: the host name is resolved once, every address it resolves to is checked,
  and the socket connects to the checked address (no second lookup a DNS answer could change).
  Each redirect is checked the same way.
* At most ``STUDIO_SOURCES_MAX_BYTES`` of body and ``STUDIO_SOURCES_FETCH_TIMEOUT`` seconds in
  all; no proxies from the environment.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from studio.errors import InputError

MAX_REDIRECTS = 5
USER_AGENT = "ContentStudio-SourceFetcher/1.0 (+self-hosted)"


class UrlRefused(InputError):
    """The URL may not be fetched, or fetching it failed; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    media_type: str
    data: bytes


def check_url(url: str) -> str:
    """The URL, trimmed, if its form is acceptable (http/https with a host); else UrlRefused."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlRefused(f"Only http and https addresses can be fetched, not “{parts.scheme or url}”.")
    if not parts.hostname:
        raise UrlRefused(f"“{url}” has no host name.")
    return url


def address_refusal(address: str) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "it is this machine (loopback)"
    if ip.is_unspecified:
        return "it is the unspecified address"
    if ip.is_link_local:
        return "it is a link-local address"
    if ip.is_multicast:
        return "it is a multicast address"
    if ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10"):
        return "it is on a private network"
    if ip.is_reserved or not ip.is_global:
        return "it is a reserved address"
    return None


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host once, refuses non-public addresses, connects to the checked one."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> Any:  # fmt: skip
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise UrlRefused(f"The host “{host}” could not be found.") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not self.allow_private:
            for address in addresses:
                why = address_refusal(address)
                if why is not None:
                    raise UrlRefused(
                        f"“{host}” is not fetched: {why} ({address}). An admin can allow private "
                        "addresses with STUDIO_SOURCES_ALLOW_PRIVATE_URLS."
                    )
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=self._pool._ssl_context,  # the context HTTPTransport made (verify=True)
            network_backend=_GuardedBackend(allow_private),
            max_connections=4,
        )


def fetch_url(url: str, *, max_bytes: int, timeout: float, allow_private: bool = False,
              transport: httpx.BaseTransport | None = None) -> Fetched:  # fmt: skip
    """GET ``url`` within the limits (see the module docstring), following up to
    MAX_REDIRECTS redirects, each checked. UrlRefused says why it was not fetched."""
    url = check_url(url)
    deadline = time.monotonic() + timeout
    client = httpx.Client(
        transport=transport or _GuardedTransport(allow_private), follow_redirects=False, trust_env=False,
        timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain,text/markdown,application/pdf,*/*;q=0.5"},
    )  # fmt: skip
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if time.monotonic() > deadline:
                raise UrlRefused(_too_slow(url, timeout))
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = check_url(urljoin(url, response.headers.get("location", "")))
                        continue
                    if response.status_code >= 400:
                        raise UrlRefused(f"The server answered HTTP {response.status_code} for {url}.")
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise UrlRefused(_too_big(url, max_bytes))
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise UrlRefused(_too_big(url, max_bytes))
                        if time.monotonic() > deadline:
                            raise UrlRefused(_too_slow(url, timeout))
                    return Fetched(str(response.url), response.headers.get("content-type", ""), bytes(body))
            except httpx.TimeoutException as exc:
                raise UrlRefused(_too_slow(url, timeout)) from exc
            except httpx.HTTPError as exc:
                raise UrlRefused(f"{url} could not be fetched ({type(exc).__name__}).") from exc
        raise UrlRefused(f"{url} redirected more than {MAX_REDIRECTS} times.")
    finally:
        client.close()


def _too_big(url: str, max_bytes: int) -> str:
    return f"{url} is larger than the limit of {max_bytes / 1_000_000:g} MB (STUDIO_SOURCES_MAX_BYTES)."


def _too_slow(url: str, timeout: float) -> str:
    return f"{url} took longer than {timeout:g} s to fetch (STUDIO_SOURCES_FETCH_TIMEOUT)."
