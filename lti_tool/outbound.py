"""The one way out: every HTTP call the tool makes to a platform goes through here.

Platforms hand the tool URLs (the openid-configuration in a registration, JWKS,
token, AGS and NRPS endpoints in launches), and the registration URL is public.
A plain ``requests`` call on such a URL lets whoever controls it make the tool
fetch its own host, the cloud metadata service or the private network (SSRF),
stream an endless body into memory, or hold a worker with a byte every few
seconds. ``GuardedSession`` is a ``requests.Session`` that:

* connects only to public (globally routable) addresses unless the setting
  ``outbound_allow_private`` allows loopback/private/link-local ones (the demo
  and the test suite do: everything runs on 127.0.0.1). The address is checked
  both when the name is resolved and on the socket actually connected, so a
  DNS answer that changes between the two (rebinding) gains nothing;
* follows redirects only on the same scheme, host and port, and refuses one to
  another host (a 3xx to elsewhere is an error, never a silent hop);
* caps the response body (decompressed) at ``max_bytes``;
* gives each call a total deadline (connect, headers and body together), not
  only a per-read timeout.

Its errors are ``requests.RequestException`` subclasses, so callers that
already handle network failures handle these too, and their messages never say
whether an internal address answered: a refused address reads like a host
that could not be reached.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from lti_tool.settings import Settings

log = logging.getLogger("branchwise.outbound")

#: JWKS, openid-configuration, registration and token answers are small documents.
MAX_DOCUMENT_BYTES = 1024 * 1024
#: AGS and NRPS pages (a roster page of a large course is a few hundred KiB).
MAX_SERVICE_BYTES = 8 * 1024 * 1024
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})


class OutboundError(requests.RequestException):
    """A call the guard refused or cut short; ``code`` is for logs, str() is safe to show."""

    code = "outbound"


class DestinationRefused(OutboundError):
    code = "destination_refused"


class RedirectRefused(OutboundError):
    code = "redirect_refused"


class ResponseTooLarge(OutboundError):
    code = "too_large"


class DeadlineExceeded(OutboundError):
    code = "deadline"


_UNREACHABLE = "the address could not be reached"


def address_allowed(address: str) -> bool:
    """True for a globally routable address (not loopback, private, link-local, metadata)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global excludes loopback, RFC 1918, link-local (169.254.169.254, the cloud
    # metadata service), CGNAT, ULA (fd00:ec2::254), multicast and reserved ranges.
    return ip.is_global


class _RefusedAddress(NewConnectionError):
    """Raised on a connected socket whose peer is not allowed (DNS rebinding)."""


def _checked(sock: socket.socket, conn: Any) -> socket.socket:
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        sock.close()
        raise _RefusedAddress(conn, "connection refused by the outbound guard")
    return sock


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn(), self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn(), self)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection  # type: ignore[assignment]


def _checked_adapter() -> HTTPAdapter:
    adapter = HTTPAdapter(max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {  # type: ignore[attr-defined]
        "http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
    return adapter


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class GuardedSession(requests.Session):
    """A ``requests.Session`` with the guard of this module on every request."""

    def __init__(self, *, allow_private: bool, deadline: float,
                 max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
        super().__init__()
        self.allow_private = allow_private
        self.deadline = float(deadline)
        self.max_bytes = max_bytes
        # No proxies from the environment: the peer checked must be the real one.
        self.trust_env = False
        if not allow_private:
            self.mount("http://", _checked_adapter())
            self.mount("https://", _checked_adapter())

    # ------------------------------------------------------------------ checks
    def check_destination(self, url: str) -> None:
        """Refuse a URL that is not http(s) or names a host that resolves to a
        forbidden address. Raises DestinationRefused (logged with the reason)."""
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host or parts.username \
                or parts.password:
            self._refuse(url, "not an http(s) URL with a host")
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            raise requests.ConnectionError(_UNREACHABLE) from None
        bad = [i[4][0] for i in infos if not address_allowed(str(i[4][0]))]
        if bad:
            self._refuse(url, f"resolves to {bad[0]}")

    @staticmethod
    def _refuse(url: str, why: str) -> None:
        log.warning("outbound call refused url=%r: %s", url[:300], why)
        raise DestinationRefused(_UNREACHABLE)

    # ----------------------------------------------------------------- request
    # Narrower than requests' signature on purpose: str URLs (parsed by the guard) and
    # keyword arguments only (refused below otherwise).
    def request(  # type: ignore[override]
            self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        """As ``requests.Session.request``; ``timeout`` is a total deadline (capped by the
        session's), redirects are followed on the same origin only and for GET/HEAD."""
        if args:
            raise TypeError("GuardedSession.request takes keyword arguments only")
        limit = kwargs.pop("timeout", None)
        budget = self.deadline if not isinstance(limit, int | float) else min(limit,
                                                                              self.deadline)
        kwargs.pop("allow_redirects", None)
        kwargs.pop("stream", None)
        ends_at = time.monotonic() + budget
        for _hop in range(MAX_REDIRECTS + 1):
            self.check_destination(url)
            remaining = self._remaining(ends_at, url)
            try:
                resp = super().request(method, url, allow_redirects=False, stream=True,
                                       timeout=(remaining, remaining), **kwargs)
            except requests.ConnectionError as exc:
                if isinstance(getattr(exc.args[0] if exc.args else None, "reason", None),
                              _RefusedAddress):
                    self._refuse(url, "connected peer is not a public address")
                raise
            except requests.Timeout as exc:
                raise DeadlineExceeded(f"no answer within {budget:g} s") from exc
            if resp.status_code in _REDIRECT_STATUS and "location" in resp.headers:
                target = urljoin(url, resp.headers["location"])
                resp.close()
                if _origin(target) != _origin(url):
                    log.warning("outbound redirect refused from %r to %r", url[:300],
                                target[:300])
                    raise RedirectRefused("the server redirected to another host")
                if method.upper() not in ("GET", "HEAD"):
                    raise RedirectRefused("the server redirected a request that cannot "
                                          "be repeated")
                url = target
                continue
            self._read_body(resp, ends_at, budget)
            return resp
        raise RedirectRefused("too many redirects")

    @staticmethod
    def _remaining(ends_at: float, url: str) -> float:
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("the call took too long")
        return remaining

    def _read_body(self, resp: requests.Response, ends_at: float, budget: float) -> None:
        """Read the body under the size cap and the deadline, then keep it as ``content``."""
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            resp.close()
            raise ResponseTooLarge(f"the answer is larger than {self.max_bytes} bytes")
        raw = resp.raw
        chunks: list[bytes] = []
        size = 0
        read = getattr(raw, "read1", None) or raw.read
        try:
            while True:
                remaining = ends_at - time.monotonic()
                if remaining <= 0:
                    raise DeadlineExceeded(f"the answer took longer than {budget:g} s")
                sock = getattr(getattr(raw, "_connection", None), "sock", None)
                if sock is not None:
                    # Each read may wait only for what is left of the deadline.
                    sock.settimeout(remaining)
                try:
                    chunk = read(_CHUNK, decode_content=True)
                except (requests.exceptions.ChunkedEncodingError, OSError) as exc:
                    if time.monotonic() >= ends_at:
                        raise DeadlineExceeded(
                            f"the answer took longer than {budget:g} s") from exc
                    raise requests.ConnectionError(_UNREACHABLE) from exc
                except Exception as exc:  # urllib3 read/protocol errors
                    if time.monotonic() >= ends_at:
                        raise DeadlineExceeded(
                            f"the answer took longer than {budget:g} s") from exc
                    raise requests.ConnectionError("the answer was cut off") from exc
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise ResponseTooLarge(f"the answer is larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except BaseException:
            resp.close()
            raise
        resp._content = b"".join(chunks)  # noqa: SLF001 - requests' own cache of the body
        resp._content_consumed = True  # noqa: SLF001
        resp.close()


def session(settings: Settings, *, max_bytes: int = MAX_DOCUMENT_BYTES,
            deadline: float | None = None) -> GuardedSession:
    """A guarded session for these settings (deadline: ``http_timeout`` seconds per call)."""
    return GuardedSession(allow_private=settings.outbound_allow_private,
                          deadline=settings.http_timeout if deadline is None else deadline,
                          max_bytes=max_bytes)


def service_session(settings: Settings | None = None) -> GuardedSession:
    """A session for AGS and NRPS calls (larger bodies); settings default to the current app's."""
    if settings is None:
        from flask import current_app

        settings = current_app.config["BRANCHWISE"]
    return session(settings, max_bytes=MAX_SERVICE_BYTES)
