"""The null tool of bench/launch.py (issue 20 item 4): the harness's floor is a real
launch through the demo LMS, not a shortcut, or its "best possible" ratios would mean
nothing. Its login must reach the LMS's auth and come back as an id_token POST."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

from bench.launch import _WsgiHolder, launch, lms_for, null_tool
from lti_tool.demo_platform import bind_socket, serve_in_thread


def test_null_tool_launch_goes_through_the_lms_in_two_tool_hops() -> None:
    tool_sock = bind_socket()
    tool_url = f"http://127.0.0.1:{tool_sock.getsockname()[1]}"
    lms_sock, lms_url, lms = lms_for(tool_url, "/login", "/launch", "/jwks")
    posted: list[dict[str, list[str]]] = []
    inner = null_tool(lms_url, tool_url)

    def watching(environ, start_response):
        if environ["PATH_INFO"] == "/launch":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            posted.append(parse_qs(body.decode()))
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(size)
        return inner(environ, start_response)

    servers = [serve_in_thread(lms, sock=lms_sock),
               serve_in_thread(_WsgiHolder(watching), sock=tool_sock)]
    try:
        spent, hops = launch(lms_url, urlsplit(tool_url).netloc, "alice", "rl-1")
    finally:
        for server in servers:
            server.stop()
    assert hops == 2 and spent > 0
    # The LMS signed a launch for the null tool: an id_token (three JWT parts) and its state.
    assert len(posted) == 1
    assert posted[0]["state"] == ["s"]
    assert posted[0]["id_token"][0].count(".") == 2
