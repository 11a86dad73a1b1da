"""The outbound guard (lti_tool.outbound) against real misbehaving servers on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
import requests

from lti_tool import outbound
from tests.security.servers import Hostile, json_answer, redirect_to, trickle


@pytest.fixture
def hostile():
    servers: list[Hostile] = []

    def make(**routes) -> Hostile:
        server = Hostile(routes={"/" + k.replace("_", "-"): v for k, v in routes.items()})
        servers.append(server.start())
        return server

    yield make
    for s in servers:
        s.stop()


def guarded(**kw) -> outbound.GuardedSession:
    kw.setdefault("allow_private", True)
    kw.setdefault("deadline", 5)
    return outbound.GuardedSession(**kw)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.10",
                                     "172.16.5.4", "169.254.169.254", "100.64.0.1",
                                     "fd00:ec2::254", "::ffff:127.0.0.1", "0.0.0.0"])
def test_internal_addresses_are_not_allowed(address):
    assert not outbound.address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert outbound.address_allowed(address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254",
                                  "10.0.0.1"])
def test_private_destinations_are_refused_without_a_connection(hostile, host):
    server = hostile(jwks=json_answer(b'{"keys": []}'))
    port = server.url.rsplit(":", 1)[1]
    with pytest.raises(outbound.DestinationRefused) as refused:
        guarded(allow_private=False).get(f"http://{host}:{port}/jwks")
    assert server.hits == []  # refused before any connection: nothing was asked
    # The message is the same whether or not something listens there.
    with pytest.raises(requests.RequestException) as closed:
        guarded(allow_private=False).get(f"http://{host}:1/jwks")
    assert str(refused.value) == str(closed.value)


def test_connected_peer_is_checked_too(hostile, monkeypatch):
    """DNS rebinding: the name resolves to a public address for the check, then the
    socket connects to 127.0.0.1. The peer check on the socket still refuses."""
    server = hostile(jwks=json_answer(b'{"keys": []}'))
    session = guarded(allow_private=False)
    monkeypatch.setattr(session, "check_destination", lambda url: None)
    with pytest.raises(outbound.DestinationRefused):
        session.get(server.url + "/jwks")
    assert server.hits == []


def test_allowed_private_call_works(hostile):
    server = hostile(jwks=json_answer(b'{"keys": []}'))
    assert guarded().get(server.url + "/jwks").json() == {"keys": []}


def test_redirect_to_another_host_is_refused(hostile):
    target = hostile(jwks=json_answer(b'{"keys": []}'))
    source = hostile(jwks=redirect_to(target.url + "/jwks"))
    with pytest.raises(outbound.RedirectRefused):
        guarded().get(source.url + "/jwks")
    assert target.hits == []


def test_redirect_on_the_same_host_is_followed(hostile):
    server = hostile(old=redirect_to("/jwks", 301), jwks=json_answer(b'{"keys": [1]}'))
    resp = guarded().get(server.url + "/old")
    assert resp.json() == {"keys": [1]}
    assert server.hits == ["/old", "/jwks"]


def test_redirect_of_a_post_is_not_replayed(hostile):
    server = hostile(token=redirect_to("/elsewhere", 307))
    with pytest.raises(outbound.RedirectRefused):
        guarded().post(server.url + "/token", data={"a": "b"})
    assert server.hits == ["/token"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_response_size_is_capped(hostile, chunked):
    big = b'{"keys": "' + b"x" * (2 * outbound.MAX_DOCUMENT_BYTES) + b'"}'
    server = hostile(jwks=json_answer(big, chunked=chunked), small=json_answer(b"{}"))
    with pytest.raises(outbound.ResponseTooLarge):
        guarded(max_bytes=outbound.MAX_DOCUMENT_BYTES).get(server.url + "/jwks")
    # The same session still works for a normal answer afterwards.
    assert guarded().get(server.url + "/small").json() == {}


def test_a_trickling_server_is_cut_at_the_total_deadline(hostile):
    """One byte every 0.1 s would pass any per-read timeout for 20 s; the deadline is 1 s."""
    server = hostile(slow=trickle(total_seconds=20))
    started = time.monotonic()
    with pytest.raises(outbound.DeadlineExceeded):
        guarded(deadline=1).get(server.url + "/slow")
    # Behaviour, not a benchmark: it gave up long before the server finished.
    assert time.monotonic() - started < 15


def test_errors_are_request_exceptions():
    """Callers that handle network failures (AGS client, registration) handle these too."""
    for cls in (outbound.DestinationRefused, outbound.RedirectRefused,
                outbound.ResponseTooLarge, outbound.DeadlineExceeded):
        assert issubclass(cls, requests.RequestException)


def test_non_http_schemes_are_refused():
    with pytest.raises(outbound.DestinationRefused):
        guarded().get("file:///etc/passwd")


def test_grade_client_uses_the_guard(app):
    from lti_tool.ags import client as ags

    creds = ags.ToolCredentials("c", "https://lms.test/token", "pem", "kid")
    client = ags.AgsClient(creds, [ags.SCOPE_SCORE], cache=None, timeout=1)  # type: ignore[arg-type]
    assert isinstance(client.http, outbound.GuardedSession)
    assert client.http.max_bytes == outbound.MAX_SERVICE_BYTES
