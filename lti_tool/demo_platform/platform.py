"""``DemoPlatform``: settings + key + in-memory store + LTI message building."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import flask
import jwt
from lti1p3platform.registration import Registration

from .ags_behaviour import AgsBehaviour
from .config import PlatformSettings
from .keys import PlatformKeys, load_or_create_keys
from .lti import DemoPlatformConf, DictRequest, FlaskMessageLaunch, FlaskOIDCLogin
from .store import LineItem, PlatformStore, ResourceLink, User

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"

AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = AGS_SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY = AGS_SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY = AGS_SCOPE + "result.readonly"
SCOPE_SCORE = AGS_SCOPE + "score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE]
ALL_SCOPES = [*AGS_SCOPES, SCOPE_NRPS]

KIND_RESOURCE = "resource"
KIND_DEEP_LINK = "deep_link"
#: "View submission" (LTI Submission Review 1.0): ``review:<line item id>:<learner id>``.
KIND_REVIEW = "review"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"


class LaunchError(ValueError):
    """A launch cannot be built (unknown user, link or message hint)."""


class _KeyedRegistration(Registration):
    """lti1p3platform's Registration signing with the platform's parsed key
    (``PlatformKeys.private_key``) and its known kid instead of re-parsing the PEM for
    each JWT; the JWT (header, claims, RS256) is the same."""

    def __init__(self, keys: PlatformKeys) -> None:
        super().__init__()
        self._keys = keys

    def get_kid(self) -> str:
        return self._keys.kid

    def platform_encode_and_sign(self, payload: dict[str, Any],
                                 expiration: int | None = None) -> str:
        if expiration:
            now = int(time.time())
            payload.update({"iat": now, "exp": now + expiration})
        return jwt.encode(payload, self._keys.private_key, algorithm="RS256",
                          headers={"kid": self._keys.kid})


class DemoPlatform:
    """One demo LMS instance; the Flask app stores it in ``app.extensions``."""

    def __init__(self, settings: PlatformSettings, keys: PlatformKeys | None = None) -> None:
        self.settings = settings
        self.keys = keys or load_or_create_keys(settings.key_dir)
        self.store = PlatformStore(settings.tool.launch_url)
        self.ags = AgsBehaviour()
        self.ags.configure(settings.ags_mode, settings.score_rate, settings.score_burst)
        # Called with a service group ("token", "scores", ...) before each service endpoint;
        # the first non-None response is answered instead. Empty here: tests add their fault
        # injection (tests/support/demo_lms_hooks.py), the demo LMS itself has none.
        self.interceptors: list[Callable[[str], flask.Response | None]] = []

    # ---------------------------------------------------------------------- URLs
    @property
    def issuer(self) -> str:
        """The platform issuer (its base URL, as configured)."""
        return self.settings.issuer

    def url(self, path: str) -> str:
        """Absolute platform URL for ``path``."""
        return self.settings.base_url + path

    @property
    def auth_url(self) -> str:
        """OIDC authorization endpoint."""
        return self.url("/auth")

    @property
    def token_url(self) -> str:
        """OAuth2 token endpoint (also the expected ``aud`` of client assertions)."""
        return self.url("/token")

    @property
    def jwks_url(self) -> str:
        """Platform public keys."""
        return self.url("/.well-known/jwks.json")

    @property
    def deep_link_return_url(self) -> str:
        """Where the tool POSTs its LtiDeepLinkingResponse."""
        return self.url("/deep_link_return")

    def course_url(self, user_id: str | None = None) -> str:
        """The course page, optionally as a given user."""
        return self.url("/" + (f"?{urlencode({'as': user_id})}" if user_id else ""))

    def lineitems_url(self, context_id: str) -> str:
        """AGS line items container of a context."""
        return self.url(f"/api/lti/courses/{context_id}/lineitems")

    def lineitem_url(self, item: LineItem) -> str:
        """AGS line item URL (its ``id``)."""
        return f"{self.lineitems_url(item.context_id)}/{item.id}"

    def memberships_url(self, context_id: str) -> str:
        """NRPS context memberships URL."""
        return self.url(f"/api/lti/courses/{context_id}/memberships")

    # -------------------------------------------------------------- registration
    def registration(self) -> Registration:
        """The ``lti1p3platform`` registration of the tool (a fresh object each call)."""
        tool = self.settings.tool
        return (
            _KeyedRegistration(self.keys)
            .set_iss(self.issuer)
            .set_client_id(tool.client_id)
            .set_deployment_id(tool.deployment_id)
            .set_oidc_login_url(tool.oidc_login_url)
            .set_launch_url(tool.launch_url)
            .set_deeplink_launch_url(tool.deep_link_url)
            .set_tool_key_set_url(tool.jwks_url)
            .set_platform_private_key(self.keys.private_pem)
            .set_platform_public_key(self.keys.public_pem)
        )

    def platform_conf(self) -> DemoPlatformConf:
        """A fresh platform config (one per request; it holds per-JWT state)."""
        conf = DemoPlatformConf(platform=self)
        conf.set_accepted_deeplinking_types(["ltiResourceLink"])
        return conf

    def decode_tool_jwt(
        self, conf: DemoPlatformConf, token: str, *, audience: str, require: list[str]
    ) -> dict[str, Any]:
        """The claims of a JWT the tool signed (RS256, a key from the tool's JWKS, issuer the
        tool's client_id, 60 s leeway), for both the token endpoint's client assertion and the
        deep-linking response. ``conf`` must hold the registration; it keeps the token's header,
        which later calls on it rely on. Raises LtiException, InvalidKeySetUrl, jwt.PyJWTError
        or ValueError."""
        conf.validate_jwt_format(token)
        key = conf.get_tool_public_key()
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=self.settings.tool.client_id,
            options={"require": require},
            leeway=60,
        )

    # --------------------------------------------------------------------- login
    def message_hint(self, kind: str, target: str) -> str:
        """Encode the ``lti_message_hint``: ``resource:<link id>`` or ``deep_link:<context>``."""
        return f"{kind}:{target}"

    def parse_message_hint(self, hint: str) -> tuple[str, str]:
        """Decode an ``lti_message_hint``; raises ``LaunchError`` when malformed or unknown."""
        kind, _, target = (hint or "").partition(":")
        if kind == KIND_RESOURCE and target in self.store.resource_links:
            return kind, target
        if kind == KIND_DEEP_LINK and target == self.store.course.id:
            return kind, target
        if kind == KIND_REVIEW and self.review_target(target) is not None:
            return kind, target
        raise LaunchError("unknown lti_message_hint")

    def review_target(self, target: str) -> tuple[LineItem, ResourceLink, User] | None:
        """The line item, its resource link and the learner of a ``review:`` hint, when the
        line item offers submission review (a ``submissionReview`` object)."""
        item_id, _, user_id = target.partition(":")
        item = self.store.line_items.get(item_id)
        user = self.store.users.get(user_id)
        if item is None or user is None or not item.extra.get("submissionReview"):
            return None
        link = self.store.resource_links.get(item.resource_link_id or "")
        if link is None:
            return None
        return item, link, user

    def login_url(self, user_id: str, link_id: str | None = None, kind: str = KIND_RESOURCE) -> str:
        """Third-party initiated login URL at the tool (what the activity iframe loads)."""
        if user_id not in self.store.users:
            raise LaunchError(f"unknown user {user_id!r}")
        oidc = FlaskOIDCLogin(None, self.platform_conf())
        if kind == KIND_DEEP_LINK:
            oidc.set_deeplinking_launch_url()
            oidc.set_lti_message_hint(hint=self.message_hint(kind, self.store.course.id))
        elif kind == KIND_RESOURCE:
            link = self.store.resource_links.get(link_id or "")
            if link is None:
                raise LaunchError(f"unknown resource link {link_id!r}")
            oidc.set_launch_url(link.url)
            oidc.set_lti_message_hint(hint=self.message_hint(kind, link.id))
        elif kind == KIND_REVIEW:
            found = self.review_target(link_id or "")
            if found is None:
                raise LaunchError(f"no submission review for {link_id!r}")
            item, link, _learner = found
            oidc.set_launch_url(item.extra["submissionReview"].get("url") or link.url)
            oidc.set_lti_message_hint(hint=self.message_hint(kind, link_id or ""))
        else:
            raise LaunchError(f"unknown launch kind {kind!r}")
        url = oidc.prepare_preflight_url(user_id)
        if self.settings.platform_storage:
            url += "&" + urlencode({"lti_storage_target": self.settings.storage_target})
        return url

    # -------------------------------------------------------------------- claims
    def substitute(self, value: str, user: User, link: ResourceLink | None) -> str:
        """Expand the few LTI custom-parameter variables the demo LMS supports."""
        variables = {
            "$User.id": user.id,
            "$User.username": user.id,
            "$Person.name.full": user.name,
            "$Person.name.given": user.given_name,
            "$Person.name.family": user.family_name,
            "$Person.email.primary": user.email,
            "$Context.id": self.store.course.id,
            "$Context.title": self.store.course.title,
            "$ResourceLink.id": link.id if link else "",
            "$ResourceLink.title": link.title if link else "",
        }
        return variables.get(value, value)

    def build_launch(
        self,
        request: Any,
        user: User,
        kind: str,
        link: ResourceLink | None,
        *,
        dl_data: str | None = None,
    ) -> FlaskMessageLaunch:
        """Set every claim of a resource-link or deep-linking launch on a library launch object.

        ``request`` is an ``lti1p3platform`` request (``FlaskRequest`` or ``DictRequest``)
        holding the OIDC auth parameters (nonce, state, redirect_uri, client_id).
        """
        launch = FlaskMessageLaunch(request, self.platform_conf())
        launch.set_id_token_expiration(self.settings.id_token_lifetime)
        course = self.store.course
        launch.set_user_data(
            user.id,
            user.roles,
            full_name=user.name,
            email_address=user.email,
            preferred_username=user.id,
        )
        launch.set_launch_context_claim(
            course.id,
            context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            context_title=course.title,
            context_label=course.label,
        )
        launch.set_launch_presentation_claim("iframe", self.course_url(user.id))
        assert launch.lti_claim_launch_presentation is not None
        launch.lti_claim_launch_presentation[CLAIM + "launch_presentation"].update(
            {"locale": user.locale, "width": 960, "height": 640}
        )
        extra: dict[str, Any] = {
            "given_name": user.given_name,
            "family_name": user.family_name,
            "locale": user.locale,
            CLAIM + "tool_platform": {
                "guid": self.issuer,
                "name": self.settings.title,
                "product_family_code": "branchwise-demo-lms",
                "version": "1.0",
            },
            CLAIM + "lis": {
                "person_sourcedid": f"sis:{user.id}",
                "course_offering_sourcedid": f"sis:{course.id}",
            },
        }
        launch.set_extra_claims(extra)
        launch.set_nrps(self.memberships_url(course.id))
        lineitem_url = None
        if kind == KIND_RESOURCE:
            assert link is not None
            launch.set_launch_url(link.url)
            launch.set_resource_link_claim(link.id, description=link.text, title=link.title)
            custom = {k: self.substitute(str(v), user, link) for k, v in link.custom.items()}
            launch.set_custom_parameters_claim(custom)
            item = self.store.line_items.get(link.lineitem_id or "")
            if item is not None:
                lineitem_url = self.lineitem_url(item)
        else:
            launch.set_dl(
                self.deep_link_return_url,
                title="Add a Branchwise activity",
                description=f"Choose an activity for {course.title}",
                accept_types={"ltiResourceLink"},
            )
            assert launch._deep_linking_launch_data is not None
            settings = launch._deep_linking_launch_data[DL_CLAIM]
            settings["accept_presentation_document_targets"] = ["iframe", "window"]
            settings["accept_multiple"] = True
            if dl_data is not None:
                settings["data"] = dl_data
        launch.set_ags(self.lineitems_url(course.id), lineitem_url)
        launch.extra_claims[AGS_CLAIM]["scope"] = list(AGS_SCOPES)
        return launch

    def claims_for(
        self,
        user: User,
        kind: str,
        link: ResourceLink | None,
        nonce: str,
        *,
        dl_data: str | None = None,
        redirect_uri: str | None = None,
        lifetime: int | None = None,
    ) -> dict[str, Any]:
        """The complete, unsigned id_token claims of a launch (tests/support/forge.py)."""
        tool = self.settings.tool
        if redirect_uri is None:
            redirect_uri = tool.deep_link_url if kind == KIND_DEEP_LINK else tool.launch_url
        request = DictRequest(
            {
                "nonce": nonce,
                "state": "forged",
                "redirect_uri": redirect_uri,
                "client_id": tool.client_id,
            }
        )
        launch = self.build_launch(request, user, kind, link, dl_data=dl_data)
        launch._registration = self.registration()
        if kind == KIND_DEEP_LINK:
            launch.set_launch_url(tool.deep_link_url)
        message = launch.get_launch_message()
        if kind == KIND_DEEP_LINK:
            message[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            message.update(launch._deep_linking_launch_data or {})
        now = int(time.time())
        message.update(
            {"nonce": nonce, "iat": now, "exp": now + (lifetime or self.settings.id_token_lifetime)}
        )
        return message

    def new_dl_data(self, user: User, nonce: str) -> str:
        """Create and remember the opaque ``data`` value of a deep-linking request."""
        data = "dl-" + secrets.token_urlsafe(12)
        with self.store.lock:
            self.store.deep_link_requests[data] = {
                "user": user.id,
                "context": self.store.course.id,
                "nonce": nonce,
                "at": time.time(),
            }
        return data

    # ---------------------------------------------------------------- AGS JSON
    def line_item_json(self, item: LineItem) -> dict[str, Any]:
        """AGS line item representation."""
        data: dict[str, Any] = dict(item.extra)
        data.update(
            {
                "id": self.lineitem_url(item),
                "label": item.label,
                "scoreMaximum": _num(item.score_maximum),
            }
        )
        for key, value in (
            ("resourceId", item.resource_id),
            ("tag", item.tag),
            ("resourceLinkId", item.resource_link_id),
            ("startDateTime", item.start_date_time),
            ("endDateTime", item.end_date_time),
        ):
            if value is not None:
                data[key] = value
        return data


def _num(value: float) -> float | int:
    """Render whole floats as ints in JSON (100 rather than 100.0)."""
    return int(value) if float(value).is_integer() else value
