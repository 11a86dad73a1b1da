"""The course page's postMessage handling (capabilities, platform storage, frameResize)."""

from __future__ import annotations

import json

import flask
import pytest

from lti_tool.demo_platform import (
    PlatformSettings,
    ToolLink,
    bind_socket,
    serve_in_thread,
)
from tests.support.demo_lms_hooks import create_test_platform_app

pytestmark = pytest.mark.browser

TOOL_PAGE = """<!doctype html><html><body><div id="out"></div><script>
const out = [];
window.addEventListener("message", (e) => {
  out.push(e.data); document.getElementById("out").textContent = JSON.stringify(out);
});
parent.postMessage({subject: "lti.capabilities", message_id: "m1"}, "*");
parent.postMessage({subject: "lti.put_data", message_id: "m2", key: "state-1", value: "abc"}, "*");
parent.postMessage({subject: "lti.get_data", message_id: "m3", key: "state-1"}, "*");
parent.postMessage({subject: "lti.get_data", message_id: "m4"}, "*");
parent.postMessage({subject: "lti.frameResize", height: 321}, "*");
</script></body></html>"""


def test_platform_storage_messages_in_chromium(browser) -> None:
    """A cross-origin tool frame gets spec-shaped responses and can resize its iframe."""
    sync_api = pytest.importorskip("playwright.sync_api")
    tsock, psock = bind_socket(), bind_socket()
    tool_url = f"http://localhost:{tsock.getsockname()[1]}"  # another origin than 127.0.0.1
    platform_url = f"http://127.0.0.1:{psock.getsockname()[1]}"
    tool = flask.Flask("postmessage_tool")
    tool.add_url_rule("/login", "login", lambda: TOOL_PAGE)
    link = ToolLink(
        "c", "d", f"{tool_url}/login", f"{tool_url}/launch", f"{tool_url}/dl", f"{tool_url}/jwks"
    )
    app = create_test_platform_app(PlatformSettings(issuer=platform_url, tool=link))
    servers = [serve_in_thread(app, sock=psock), serve_in_thread(tool, sock=tsock)]
    try:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{platform_url}/?as=alice&link=rl-1")
            out = page.frame_locator("#tool-frame").locator("#out")
            page.wait_for_function(
                "document.getElementById('tool-frame').style.height === '321px'"
            )
            sync_api.expect(out).to_contain_text("m4")
            messages = {m.get("message_id"): m for m in json.loads(out.text_content() or "[]")}
        finally:
            context.close()
    finally:
        for server in servers:
            server.stop()
    caps = messages["m1"]
    assert caps["subject"] == "lti.capabilities.response"
    subjects = {m["subject"]: m for m in caps["supported_messages"]}
    assert subjects["lti.put_data"]["frame"] == "_parent"
    assert subjects["lti.get_data"]["frame"] == "_parent"
    assert messages["m2"] == {
        "subject": "lti.put_data.response",
        "message_id": "m2",
        "key": "state-1",
        "value": "abc",
    }
    assert messages["m3"]["value"] == "abc"
    assert messages["m4"]["error"]["code"] == "bad_request"
