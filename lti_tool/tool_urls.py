"""The URLs an LMS administrator pastes into their LMS (``branchwise tool-config``)."""

from __future__ import annotations

from typing import TypedDict


class ToolUrls(TypedDict):
    base_url: str
    domain: str
    oidc_login_url: str
    launch_url: str
    deep_link_url: str
    redirect_uris: list[str]
    jwks_url: str
    registration_url: str
    canvas_config_url: str
    health_url: str


def tool_urls(base_url: str) -> ToolUrls:
    base = base_url.rstrip("/")
    launch = base + "/lti/launch"
    deep_link = base + "/lti/deep-link"
    return {
        "base_url": base,
        "domain": base.split("://", 1)[-1].split("/", 1)[0],
        "oidc_login_url": base + "/lti/login",
        "launch_url": launch,
        "deep_link_url": deep_link,
        "redirect_uris": [launch, deep_link],
        "jwks_url": base + "/.well-known/jwks.json",
        "registration_url": base + "/lti/register",
        "canvas_config_url": base + "/lti/canvas.json",
        "health_url": base + "/healthz",
    }
