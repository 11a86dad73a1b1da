"""Dynamic Registration 1.0, platform side, for the demo LMS.

Adds ``/.well-known/openid-configuration`` (§3.4) and ``POST /api/lti/registrations``
(§3.5) to the demo LMS app, plus ``/_test/registration_token`` and
``/_test/registrations`` for tests and ``branchwise demo``. The demo LMS has one
tool slot (``PlatformSettings.tool``): a successful registration replaces it with
the registered tool, a fresh client_id and deployment_id, so the course page's
launches go to the newly registered client.

Checks follow the spec strictly (it is the independent side of the end-to-end
test): a single-use Bearer registration token, and the tool JSON's required
members and values.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import flask
from flask import request

from .api import json_error, json_response, platform
from .config import ToolLink
from .platform import ALL_SCOPES

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")


@dataclass
class RegistrationState:
    """Issued registration tokens and the registrations received (thread-safe)."""

    tokens: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    config_requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 1

    def new_token(self) -> str:
        """A single-use registration token (what the LMS puts in the registration URL)."""
        token = "regtok-" + secrets.token_urlsafe(16)
        with self.lock:
            self.tokens.add(token)
        return token

    def take_token(self, token: str) -> bool:
        """Consume ``token``; False if it was never issued or already used."""
        with self.lock:
            if token in self.tokens:
                self.tokens.discard(token)
                return True
            return False

    def next_number(self) -> int:
        """A counter for deployment ids."""
        with self.lock:
            n, self._next = self._next, self._next + 1
            return n


def registration_state(app: flask.Flask | None = None) -> RegistrationState:
    """The registration state of ``app`` (default: the current app)."""
    return (app or flask.current_app).extensions["demo_registration"]


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def openid_configuration() -> dict[str, Any]:
    """The platform's OpenID configuration (LTI DR §3.4.1 example, with our URLs)."""
    p = platform()
    return {
        "issuer": p.issuer,
        "authorization_endpoint": p.auth_url,
        "token_endpoint": p.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": p.jwks_url,
        "registration_endpoint": p.url("/api/lti/registrations"),
        "scopes_supported": ["openid", *ALL_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "aud", "sub", "name", "given_name", "family_name",
                             "email", "locale"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "branchwise-demo-lms",
            "version": "1.0",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
            ],
            "variables": ["Context.title", "ResourceLink.title", "User.id"],
        },
    }


def validate_tool_configuration(body: object) -> list[str]:
    """Every problem with a tool's registration request (§3.5.1); empty when valid."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems: list[str] = []

    def is_url(value: object) -> bool:
        parts = urlsplit(value) if isinstance(value, str) else None
        return bool(parts and parts.scheme in ("http", "https") and parts.hostname)

    if body.get("application_type") != "web":
        problems.append("application_type must be 'web'")
    if "id_token" not in (body.get("response_types") or []):
        problems.append("response_types must contain id_token")
    grants = body.get("grant_types") or []
    for grant in ("implicit", "client_credentials"):
        if grant not in grants:
            problems.append(f"grant_types must contain {grant}")
    for key in ("initiate_login_uri", "jwks_uri"):
        if not is_url(body.get(key)):
            problems.append(f"{key} must be an http(s) URL")
    redirects = body.get("redirect_uris")
    if not isinstance(redirects, list) or not redirects or not all(map(is_url, redirects)):
        problems.append("redirect_uris must be a non-empty list of URLs")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        problems.append("token_endpoint_auth_method must be private_key_jwt")
    if not isinstance(body.get("client_name"), str) or not body["client_name"]:
        problems.append("client_name is required")
    scopes = str(body.get("scope") or "").split()
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        problems.append(f"unsupported scopes: {unknown}")
    conf = body.get(TOOL_CONFIGURATION)
    if not isinstance(conf, dict):
        problems.append(f"{TOOL_CONFIGURATION} object is required")
        return problems
    domain = conf.get("domain")
    if not isinstance(domain, str) or not domain:
        problems.append("tool configuration domain is required")
    if not is_url(conf.get("target_link_uri")):
        problems.append("tool configuration target_link_uri must be a URL")
    elif domain and urlsplit(conf["target_link_uri"]).netloc != domain:
        problems.append("target_link_uri is not on the tool's domain")
    messages = conf.get("messages", [])
    if not isinstance(messages, list):
        problems.append("messages must be a list")
        messages = []
    for message in messages:
        if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
            problems.append(f"unsupported message {message!r}")
        elif "target_link_uri" in message and not is_url(message["target_link_uri"]):
            problems.append(f"message {message['type']} target_link_uri must be a URL")
    if isinstance(redirects, list):
        for message in messages:
            if isinstance(message, dict) and message.get("target_link_uri") \
                    and message["target_link_uri"] not in redirects:
                problems.append(f"{message['target_link_uri']} is not among redirect_uris")
    return problems


def _deep_link_url(conf: dict[str, Any], fallback: str) -> str:
    for message in conf.get("messages", []):
        if message.get("type") == "LtiDeepLinkingRequest" and message.get("target_link_uri"):
            return str(message["target_link_uri"])
    return fallback


def add_registration_routes(app: flask.Flask) -> None:
    """Register the dynamic registration routes on the demo LMS app."""
    app.extensions["demo_registration"] = RegistrationState()

    @app.get("/.well-known/openid-configuration")
    def demo_openid_configuration() -> flask.Response:
        """§3.4: a Bearer token is optional here; when sent it must be a live one."""
        state = registration_state()
        token = _bearer()
        with state.lock:
            state.config_requests.append({"bearer": token})
            known = token is None or token in state.tokens
        if not known:
            return json_error(401, "unknown registration token")
        return json_response(openid_configuration())

    @app.post("/api/lti/registrations")
    def demo_register_tool() -> flask.Response:
        """§3.5: create the tool's client and deployment from its JSON."""
        state = registration_state()
        token = _bearer()
        if not token or not state.take_token(token):
            return json_error(401, "a valid registration token is required")
        body = request.get_json(silent=True)
        problems = validate_tool_configuration(body)
        if problems:
            return json_error(400, "invalid_client_metadata", problems=problems)
        assert isinstance(body, dict)
        p = platform()
        conf = body[TOOL_CONFIGURATION]
        client_id = "dr-" + secrets.token_urlsafe(9)
        deployment_id = f"dr-deployment-{state.next_number()}"
        launch_url = str(conf["target_link_uri"])
        p.settings.tool = ToolLink(
            client_id=client_id,
            deployment_id=deployment_id,
            oidc_login_url=str(body["initiate_login_uri"]),
            launch_url=launch_url,
            deep_link_url=_deep_link_url(conf, launch_url),
            jwks_url=str(body["jwks_uri"]),
        )
        with p.store.lock:
            for link in p.store.resource_links.values():
                link.url = launch_url
        answer = dict(body)
        answer["client_id"] = client_id
        answer["registration_client_uri"] = p.url(f"/api/lti/registrations/{client_id}")
        answer[TOOL_CONFIGURATION] = {**conf, "deployment_id": deployment_id}
        with state.lock:
            state.received.append({"client_id": client_id, "deployment_id": deployment_id,
                                   "request": body})
        return json_response(answer)

    @app.route("/_test/registration_token", methods=["POST"])
    def demo_registration_token() -> flask.Response:
        """A new token and the tool registration URL parameters that carry it."""
        token = registration_state().new_token()
        return json_response({
            "registration_token": token,
            "openid_configuration": platform().url("/.well-known/openid-configuration"),
        })

    @app.get("/_test/registrations")
    def demo_registrations() -> flask.Response:
        """Registrations received so far (with the tool's JSON) and config fetches."""
        state = registration_state()
        with state.lock:
            return json_response({"registrations": list(state.received),
                                  "config_requests": list(state.config_requests)})
