"""LTI Dynamic Registration 1.0 (tool side), without Flask.

Spec: https://www.imsglobal.org/spec/lti-dr/v1p0. The platform opens our
registration URL with ``openid_configuration`` (and usually ``registration_token``);
we fetch and check its OpenID configuration (§3.4), POST our client
configuration to its ``registration_endpoint`` (§3.5) and store the client_id and
deployment it hands back.

The URL is public, so everything a platform sends is treated as hostile input:
the configuration URL must be https (plain http only to the loopback host while
the tool itself runs on http, i.e. in development and tests), and every call
goes through ``lti_tool.outbound`` (no private addresses, no redirect to another
host, size cap, total deadline); error messages never echo the response.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from lti_tool import outbound
from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.models.base import utcnow
from lti_tool.protocol import claims
from lti_tool.protocol.errors import BranchwiseError
from lti_tool.registration import services
from lti_tool.settings import Settings
from lti_tool.tool_urls import tool_urls

log = logging.getLogger("branchwise.registration")

PLATFORM_CONFIGURATION = claims.PLATFORM_CONFIGURATION
TOOL_CONFIGURATION = claims.TOOL_CONFIGURATION
AGS_SCOPE = claims.AGS_SCOPE
NRPS_SCOPE = claims.SCOPE_NRPS
#: Everything Branchwise may ask for: AGS 2.0 §3.1 (line items, results, scores) and NRPS.
TOOL_SCOPES = claims.ALL_SCOPES
#: What each scope lets Branchwise do, in an admin's words.
SCOPE_MEANINGS = {
    AGS_SCOPE + "score": "send grades",
    AGS_SCOPE + "lineitem": "create gradebook columns",
    AGS_SCOPE + "lineitem.readonly": "read gradebook columns",
    AGS_SCOPE + "result.readonly": "read grades back",
    NRPS_SCOPE: "read course rosters",
}


def granted_summary(granted_scopes: str | None) -> tuple[list[str], list[str]] | None:
    """(what the granted scopes allow, what they leave out), or None if not recorded."""
    if granted_scopes is None:
        return None
    granted = set(granted_scopes.split())
    return ([m for s, m in SCOPE_MEANINGS.items() if s in granted],
            [m for s, m in SCOPE_MEANINGS.items() if s not in granted])


#: OpenID claims the tool wants in launches (names for rosters, locale for the UI language).
TOOL_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")
#: LTI substitution variables (LTI 1.3 Appendix; Canvas/Moodle expand them).
CUSTOM_PARAMETERS = {
    "context_title": "$Context.title",
    "resource_link_title": "$ResourceLink.title",
}
DEEP_LINK_PLACEMENTS = ("ContentArea", "assignment_selection", "link_selection")
TOOL_NAME = "Branchwise"
TOOL_DESCRIPTION = (
    "Adaptive branching modules: finds out what a learner knows, skips what they have "
    "mastered, teaches where they struggle and sends a mastery-based grade."
)
MAX_BODY_BYTES = 256 * 1024  # a configuration is a few KiB; the guard stops at 1 MiB
LOOPBACK_HOSTS = {"localhost"}


class DynamicRegistrationError(BranchwiseError):
    """Registration cannot go on; ``message`` is shown to the admin, ``code`` is logged."""

    title = "This LMS could not be registered"

    def __init__(self, message: str, code: str, status: int = 400, log_detail: str = ""):
        super().__init__(message, code=code, status=status, log=log_detail)
        self.message = message
        self.log_detail = log_detail


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration that registration relies on."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    authorization_server: str | None = None
    scopes_supported: tuple[str, ...] = ()
    product_family_code: str = ""
    version: str = ""
    messages_supported: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RegistrationOutcome:
    """What the registration produced (for the close page and the log)."""

    platform: Platform
    deployment_id: str | None
    status: str
    granted_scope: str


# --------------------------------------------------------------------- helpers
def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: The longest values the platforms table keeps (models/platforms.py): a longer one from a
#: platform's answer is refused in words, not a database error (a 500 on PostgreSQL).
URL_MAX = 1024
ISSUER_MAX = ID_MAX = 255


def check_url(url: object, what: str, *, allow_http_loopback: bool,
              max_length: int = URL_MAX) -> str:
    """``url`` if it is an absolute https URL (or http on loopback in development).

    Plain http to loopback is refused in production: otherwise the public
    registration URL could make the tool call services on its own host.
    """
    if not isinstance(url, str) or not url:
        raise DynamicRegistrationError(f"The platform configuration has no {what}.",
                                       code="config_invalid", log_detail=f"missing {what}")
    if len(url) > max_length:
        raise DynamicRegistrationError(
            f"The platform's {what} is longer than {max_length} characters.",
            code="config_invalid", log_detail=f"{what} length={len(url)}")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise DynamicRegistrationError(f"The platform's {what} is not a valid URL.",
                                       code="config_invalid", log_detail=f"{what}={url!r}")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and allow_http_loopback and _is_loopback(host):
        return url
    raise DynamicRegistrationError(f"The platform's {what} must use https.",
                                   code="config_invalid", log_detail=f"{what}={url!r}")


def _same_site(issuer_host: str, config_host: str) -> bool:
    """Spec §3.5.1: the issuer's host must match the configuration URL's host.

    Cloud Canvas uses one issuer (canvas.instructure.com) for every school
    while serving the configuration from the school's own domain (unconfirmed;
    see docs/lms/canvas.md), so its hosted domains are accepted as a family.
    """
    if issuer_host == config_host:
        return True
    canvas_issuers = {"canvas.instructure.com", "canvas.beta.instructure.com",
                      "canvas.test.instructure.com"}
    return issuer_host in canvas_issuers and config_host.endswith(
        (".instructure.com", ".canvaslms.com"))


def _get_json(response: requests.Response, what: str) -> dict[str, Any]:
    body = response.content[: MAX_BODY_BYTES + 1]
    if len(body) > MAX_BODY_BYTES:
        raise DynamicRegistrationError(f"The platform's {what} is too large.",
                                       code="config_invalid")
    try:
        data = response.json()
    except ValueError as exc:
        raise DynamicRegistrationError(f"The platform's {what} is not JSON.",
                                       code="config_invalid",
                                       log_detail=f"status={response.status_code}") from exc
    if not isinstance(data, dict):
        raise DynamicRegistrationError(f"The platform's {what} is not a JSON object.",
                                       code="config_invalid")
    return data


# ------------------------------------------------------------- configuration
def fetch_platform_configuration(url: str, registration_token: str | None, *,
                                 http: requests.Session,
                                 allow_http_loopback: bool) -> dict[str, Any]:
    """GET the platform's openid-configuration (Bearer token: Canvas requires it)."""
    check_url(url, "openid_configuration URL", allow_http_loopback=allow_http_loopback)
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = http.get(url, headers=headers)
    except requests.RequestException as exc:
        raise DynamicRegistrationError(
            "The platform's configuration could not be fetched. Check that the LMS is "
            "reachable from the tool's server.", code="config_unreachable",
            log_detail=type(exc).__name__) from exc
    if response.status_code != 200:
        raise DynamicRegistrationError(
            f"The platform answered HTTP {response.status_code} for its configuration. The "
            "registration link may have expired: start the registration again in the LMS.",
            code="config_unreachable", log_detail=f"status={response.status_code}")
    return _get_json(response, "configuration")


def validate_platform_configuration(data: dict[str, Any], config_url: str, *,
                                    allow_http_loopback: bool) -> PlatformConfiguration:
    """Check everything §3.4 requires of the configuration and return the useful parts."""
    def url(key: str, max_length: int = URL_MAX) -> str:
        return check_url(data.get(key), key, allow_http_loopback=allow_http_loopback,
                         max_length=max_length)

    issuer = url("issuer", ISSUER_MAX).rstrip("/")
    issuer_host = (urlsplit(issuer).hostname or "").lower()
    config_host = (urlsplit(config_url).hostname or "").lower()
    if not _same_site(issuer_host, config_host):
        raise DynamicRegistrationError(
            "The platform's issuer is on another host than its configuration URL.",
            code="config_invalid", log_detail=f"issuer={issuer} config={config_url}")
    endpoints = {key: url(key) for key in ("authorization_endpoint", "token_endpoint",
                                           "jwks_uri", "registration_endpoint")}
    auth_methods = _str_list(data.get("token_endpoint_auth_methods_supported"))
    if "private_key_jwt" not in auth_methods:
        raise DynamicRegistrationError(
            "The platform does not support private_key_jwt client authentication.",
            code="config_invalid")
    # The id_token list is required; the token-endpoint list may be absent, and RS256
    # is then the LTI default (Security Framework §6.1).
    algs = {"id_token_signing_alg_values_supported": True,
            "token_endpoint_auth_signing_alg_values_supported": False}
    for key, required in algs.items():
        if (required or key in data) and "RS256" not in _str_list(data.get(key)):
            raise DynamicRegistrationError(f"The platform does not list RS256 in {key}.",
                                           code="config_invalid")
    lti = data.get(PLATFORM_CONFIGURATION)
    if not isinstance(lti, dict):
        raise DynamicRegistrationError(
            "The configuration has no LTI platform configuration object; is this an LTI "
            "1.3 platform?", code="config_invalid")
    listed = lti.get("messages_supported")
    messages = tuple(str(m.get("type")) for m in (listed if isinstance(listed, list) else [])
                     if isinstance(m, dict) and m.get("type"))
    auth_server = data.get("authorization_server")
    return PlatformConfiguration(
        issuer=issuer,
        authorization_server=auth_server if isinstance(auth_server, str) and auth_server
        else None,
        scopes_supported=tuple(_str_list(data.get("scopes_supported"))),
        product_family_code=str(lti.get("product_family_code") or ""),
        version=str(lti.get("version") or ""),
        messages_supported=messages,
        raw=data,
        **endpoints,
    )


def _str_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


# --------------------------------------------------------------- tool request
def requested_scopes(config: PlatformConfiguration) -> list[str]:
    """Our scopes, minus any the platform says it does not support (when it says)."""
    if not config.scopes_supported:
        return list(TOOL_SCOPES)
    return [s for s in TOOL_SCOPES if s in config.scopes_supported]


def tool_client_configuration(base_url: str, scopes: list[str] | None = None) -> dict[str, Any]:
    """The client registration body of §3.5 (also the source of the Canvas JSON)."""
    urls = tool_urls(base_url)
    messages = [
        {
            "type": "LtiDeepLinkingRequest",
            "target_link_uri": urls["deep_link_url"],
            "label": "Add a Branchwise activity",
            "placements": list(DEEP_LINK_PLACEMENTS),
            # Moodle and Canvas read these to put the tool in their pickers.
            "supported_types": ["ltiResourceLink"],
        },
        {
            "type": "LtiResourceLinkRequest",
            "target_link_uri": urls["launch_url"],
            "label": TOOL_NAME,
        },
    ]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["oidc_login_url"],
        "redirect_uris": list(urls["redirect_uris"]),
        "client_name": TOOL_NAME,
        "jwks_uri": urls["jwks_url"],
        "logo_uri": f"{urls['base_url']}/static/img/branchwise-logo.svg",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(TOOL_SCOPES if scopes is None else scopes),
        TOOL_CONFIGURATION: {
            "domain": urls["domain"],
            "target_link_uri": urls["launch_url"],
            "description": TOOL_DESCRIPTION,
            "custom_parameters": dict(CUSTOM_PARAMETERS),
            "claims": list(TOOL_CLAIMS),
            "messages": messages,
            # Canvas reads this to share names and e-mail with the tool.
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }


def post_registration(config: PlatformConfiguration, registration_token: str | None,
                      body: dict[str, Any], *, http: requests.Session) -> dict[str, Any]:
    """POST our configuration; the platform answers with the client it created."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = http.post(config.registration_endpoint, json=body, headers=headers)
    except requests.RequestException as exc:
        raise DynamicRegistrationError(
            "The platform's registration endpoint could not be reached.",
            code="registration_unreachable", log_detail=type(exc).__name__) from exc
    if response.status_code not in (200, 201):
        raise DynamicRegistrationError(
            f"The platform refused the registration (HTTP {response.status_code}). The "
            "registration link may have expired: start again in the LMS.",
            code="registration_rejected", log_detail=f"status={response.status_code}")
    data = _get_json(response, "registration response")
    client_id = data.get("client_id")
    if isinstance(client_id, bool) or not isinstance(client_id, str | int) \
            or not str(client_id):
        raise DynamicRegistrationError("The platform's answer has no client_id.",
                                       code="registration_rejected")
    if len(str(client_id)) > ID_MAX:
        raise DynamicRegistrationError(
            f"The platform's client_id is longer than {ID_MAX} characters.",
            code="registration_rejected")
    tool_conf = data.get(TOOL_CONFIGURATION)
    deployment_id = tool_conf.get("deployment_id") if isinstance(tool_conf, dict) else None
    if deployment_id is not None and len(str(deployment_id)) > ID_MAX:
        raise DynamicRegistrationError(
            f"The platform's deployment_id is longer than {ID_MAX} characters.",
            code="registration_rejected")
    return data


# ------------------------------------------------------------------ persistence
def _product(code: str) -> str:
    lowered = code.lower()
    for name in ("canvas", "moodle", "blackboard", "d2l", "brightspace", "sakai", "schoology"):
        if name in lowered:
            return "d2l" if name == "brightspace" else name
    return (lowered or "generic")[:40]


def save_registration(config: PlatformConfiguration, answer: dict[str, Any], *,
                      require_approval: bool) -> RegistrationOutcome:
    """Store the new client as a Platform (pending when approval is required).

    Without a deployment_id in the answer (Canvas, unconfirmed) only the
    platform is recorded; an admin adds the deployment (CLI or console) once
    the LMS shows it. An issuer + client_id already registered is never
    rewritten here: what the platform proposes is kept as ``pending_update``
    until an admin approves it (``admin.services.approve_platform``).
    """
    tool_conf = answer.get(TOOL_CONFIGURATION)
    deployment_id = tool_conf.get("deployment_id") if isinstance(tool_conf, dict) else None
    deployment_id = str(deployment_id) if deployment_id not in (None, "") else None
    client_id = str(answer["client_id"])
    granted = str(answer.get("scope") or "")
    existing = services.find_platform(config.issuer, client_id)
    if existing is not None:
        proposal = {
            "auth_login_url": config.authorization_endpoint,
            "token_url": config.token_endpoint,
            "jwks_url": config.jwks_uri,
            "token_audience": config.authorization_server,
            "granted_scopes": " ".join(granted.split()),
            "deployment_id": deployment_id,
            "product": _product(config.product_family_code),
        }
        known = {d.deployment_id for d in existing.deployments}
        unchanged = (proposal["auth_login_url"] == existing.auth_login_url
                     and proposal["token_url"] == existing.auth_token_url
                     and proposal["jwks_url"] == existing.key_set_url
                     and (proposal["token_audience"] or None) == (existing.token_audience
                                                                  or None)
                     and proposal["granted_scopes"] == (existing.granted_scopes or "")
                     and (deployment_id is None or deployment_id in known))
        status = existing.status
        if not unchanged:
            existing.pending_update = {**proposal,
                                       "received_at": utcnow().isoformat(timespec="seconds")}
            status = "update_pending"
        db.session.commit()
        return RegistrationOutcome(platform=existing, deployment_id=deployment_id,
                                   status=status, granted_scope=granted)
    status = "pending" if require_approval else "active"
    host = urlsplit(config.issuer).hostname or config.issuer
    label = config.product_family_code or "LMS"
    platform = services.add_platform(services.PlatformInput(
        issuer=config.issuer,
        client_id=client_id,
        deployment_ids=(deployment_id,) if deployment_id else (),
        auth_login_url=config.authorization_endpoint,
        token_url=config.token_endpoint,
        jwks_url=config.jwks_uri,
        token_audience=config.authorization_server,
        name=f"{label} at {host} (dynamic registration)"[:255],
        status=status,
    ))
    platform.product = _product(config.product_family_code)
    platform.granted_scopes = " ".join(granted.split())  # the admin page and CLI show it
    db.session.commit()
    return RegistrationOutcome(platform=platform, deployment_id=deployment_id, status=status,
                               granted_scope=granted)


def register(openid_configuration: str, registration_token: str | None,
             settings: Settings, *, pre_approved: bool = False) -> RegistrationOutcome:
    """The whole registration: fetch and check, POST, store. Raises DynamicRegistrationError.

    ``pre_approved``: it came through an admin's registration link (``links``), so a
    new registration is active at once even when approval is required.
    """
    if not openid_configuration:
        raise DynamicRegistrationError(
            "This is Branchwise's registration URL: paste it into your LMS's \"register a "
            "tool\" (LTI Advantage / dynamic registration) form rather than opening it "
            "directly.", code="missing_openid_configuration")
    # Loopback over http only while the tool itself is a development instance.
    dev = not settings.base_url.startswith("https://")
    # One guarded session (lti_tool.outbound): no private addresses, no redirect to
    # another host, 1 MiB bodies, a total deadline per call.
    http = outbound.session(settings, max_bytes=outbound.MAX_DOCUMENT_BYTES)
    raw = fetch_platform_configuration(openid_configuration, registration_token,
                                       http=http, allow_http_loopback=dev)
    config = validate_platform_configuration(raw, openid_configuration,
                                             allow_http_loopback=dev)
    body = tool_client_configuration(settings.base_url, requested_scopes(config))
    answer = post_registration(config, registration_token, body, http=http)
    try:
        outcome = save_registration(
            config, answer,
            require_approval=settings.require_registration_approval and not pre_approved)
    except services.RegistrationError as exc:
        raise DynamicRegistrationError(f"The registration could not be stored: {exc}",
                                       code="config_invalid") from exc
    log.info("dynamic registration stored iss=%s client_id=%s deployment=%s status=%s "
             "scope=%r", config.issuer, outcome.platform.client_id, outcome.deployment_id,
             outcome.status, outcome.granted_scope)
    return outcome
