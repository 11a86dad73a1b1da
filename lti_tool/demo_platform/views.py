"""Browser-facing pages of the demo LMS: course page, OIDC auth, deep-link return, gradebook."""

from __future__ import annotations

import time
from typing import Any

import flask
import jwt
from flask import Blueprint, render_template, request
from lti1p3platform.exceptions import InvalidKeySetUrl, LtiException

from .api import json_response, platform
from .lti import FlaskRequest
from .platform import (
    AGS_CLAIM,
    AGS_SCOPES,
    CLAIM,
    DL_CONTENT_ITEMS,
    DL_DATA,
    KIND_DEEP_LINK,
    KIND_RESOURCE,
    KIND_REVIEW,
    SUBMISSION_REVIEW_REQUEST,
    LaunchError,
)
from .store import ResourceLink, User

bp = Blueprint("demo_platform", __name__)

OIDC_REQUIRED = (
    "scope",
    "response_type",
    "client_id",
    "redirect_uri",
    "login_hint",
    "state",
    "nonce",
)


def error_page(message: str, status: int = 400) -> tuple[str, int]:
    """Plain HTML error page."""
    return render_template("demo_platform/error.html", message=message), status


def current_user(default: str = "tess") -> User:
    """The user picked with ``?as=`` (Tess the instructor by default)."""
    store = platform().store
    return store.users.get(request.args.get("as", default)) or store.users[default]


@bp.get("/.well-known/jwks.json")
def jwks() -> flask.Response:
    """Platform public key set."""
    return json_response(platform().keys.jwks())


def render_course(user: User, **extra: Any) -> str:
    """Render the course page for ``user`` (shared by ``/`` and the deep-link return)."""
    p = platform()
    store = p.store
    with store.lock:
        links = list(store.resource_links.values())
        items = dict(store.line_items)
    return render_template(
        "demo_platform/course.html",
        title=p.settings.title,
        course=store.course,
        users=list(store.users.values()),
        user=user,
        links=links,
        line_items=items,
        platform_storage=p.settings.platform_storage,
        storage_reply_delay_ms=p.settings.storage_reply_delay_ms,
        storage_subjects=p.settings.storage_subjects,
        storage_target=p.settings.storage_target,
        **extra,
    )


@bp.get("/")
def course_page() -> str | tuple[str, int]:
    """Course page: user picker, activities, and the selected activity's iframe."""
    p = platform()
    user = current_user()
    iframe_src = None
    selected: ResourceLink | None = None
    try:
        if request.args.get("deep_link"):
            iframe_src = p.login_url(user.id, kind=KIND_DEEP_LINK)
        elif request.args.get("link"):
            selected = p.store.resource_links.get(request.args["link"])
            if selected is None:
                return error_page("Unknown activity.", 404)
            iframe_src = p.login_url(user.id, selected.id, KIND_RESOURCE)
    except LaunchError as exc:
        return error_page(str(exc))
    return render_course(
        user,
        iframe_src=iframe_src,
        selected=selected,
        deep_linking=bool(request.args.get("deep_link")),
    )


@bp.get("/storage-frame")
def storage_frame() -> str:
    """The hidden frame that answers platform storage when ``storage_target`` names one."""
    s = platform().settings
    return render_template("demo_platform/storage_frame.html",
                           platform_storage=s.platform_storage,
                           storage_reply_delay_ms=s.storage_reply_delay_ms,
                           storage_subjects=s.storage_subjects, storage_target=s.storage_target)


@bp.route("/auth", methods=["GET", "POST"])
def auth() -> Any:
    """OIDC authorization endpoint: validates the tool's auth request, answers with the launch.

    The answer is an auto-submitting form POSTing ``id_token`` and ``state`` (plus
    ``lti_storage_target`` with platform storage) to ``redirect_uri``.
    """
    p = platform()
    tool = p.settings.tool
    params = request.values.to_dict()
    missing = [name for name in OIDC_REQUIRED if not params.get(name)]
    if missing:
        return error_page("Invalid authentication request: missing " + ", ".join(missing))
    if params["client_id"] != tool.client_id:
        return error_page("Invalid authentication request: unknown client_id")
    if params["redirect_uri"] not in (tool.launch_url, tool.deep_link_url):
        # Never redirect to an unregistered URI (OIDC Core 3.1.2.1).
        return error_page("Invalid authentication request: redirect_uri is not registered")
    if "openid" not in params["scope"].split():
        return error_page("Invalid authentication request: scope must include openid")
    if params["response_type"] != "id_token":
        return error_page("Invalid authentication request: response_type must be id_token")
    if params.get("response_mode") != "form_post":
        return error_page("Invalid authentication request: response_mode must be form_post")
    user = p.store.users.get(params["login_hint"])
    if user is None:
        return error_page("Invalid authentication request: unknown login_hint", 403)
    try:
        kind, target = p.parse_message_hint(params.get("lti_message_hint", ""))
    except LaunchError as exc:
        return error_page(f"Invalid authentication request: {exc}")
    link = p.store.resource_links.get(target) if kind == KIND_RESOURCE else None
    dl_data = p.new_dl_data(user, params["nonce"]) if kind == KIND_DEEP_LINK else None
    review = p.review_target(target) if kind == KIND_REVIEW else None
    if review is not None:
        if not user.is_staff:
            return error_page("Only the course's instructors review submissions.", 403)
        item, link, learner = review
        launch = p.build_launch(FlaskRequest(request), user, KIND_RESOURCE, link)
        spec = item.extra["submissionReview"]
        # LTI Submission Review 1.0 §4: the message names the learner (for_user) and the
        # line item; the custom parameters are the link's merged with the review's own.
        custom = {**link.custom,
                  **{str(k): str(v) for k, v in (spec.get("custom") or {}).items()}}
        launch.set_custom_parameters_claim(custom)
        launch.set_ags(p.lineitems_url(item.context_id), p.lineitem_url(item))
        if spec.get("url"):
            launch.set_launch_url(spec["url"])
        launch.set_extra_claims({
            CLAIM + "message_type": SUBMISSION_REVIEW_REQUEST,
            CLAIM + "for_user": {"user_id": learner.id, "name": learner.name,
                                 "given_name": learner.given_name,
                                 "family_name": learner.family_name, "email": learner.email,
                                 "roles": learner.roles},
        })
        launch.extra_claims[AGS_CLAIM]["scope"] = list(AGS_SCOPES)
    else:
        launch = p.build_launch(FlaskRequest(request), user, kind, link, dl_data=dl_data)
    if p.settings.platform_storage:
        launch.form_extra["lti_storage_target"] = p.settings.storage_target
    html = launch.lti_launch()
    id_token = launch.last_launch_data["id_token"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    with p.store.lock:
        p.store.launches.append(
            {
                "at": time.time(),
                "kind": kind,
                "user": user.id,
                "link": link.id if link else None,
                "message_type": claims.get(CLAIM + "message_type"),
                "nonce": params["nonce"],
                "state": params["state"],
                "redirect_uri": params["redirect_uri"],
                "claims": claims,
            }
        )
    resp = flask.make_response(html)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def content_item_error(item: Any) -> str | None:
    """Validate one ltiResourceLink content item; returns an error message or None."""
    if not isinstance(item, dict):
        return "content item must be an object"
    if item.get("type") != "ltiResourceLink":
        return f"unsupported content item type {item.get('type')!r}"
    if item.get("url") is not None and not isinstance(item["url"], str):
        return "url must be a string"
    custom = item.get("custom")
    if custom is not None and not isinstance(custom, dict):
        return "custom must be an object"
    line_item = item.get("lineItem")
    if line_item is not None:
        if not isinstance(line_item, dict):
            return "lineItem must be an object"
        maximum = line_item.get("scoreMaximum")
        if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
            return "lineItem.scoreMaximum must be a number > 0"
    return None


@bp.post("/deep_link_return")
def deep_link_return() -> Any:
    """Receive the tool's LtiDeepLinkingResponse, create links (+ line items), show the course."""
    p = platform()
    tool = p.settings.tool
    token = request.form.get("JWT", "")
    if not token:
        return error_page("Deep linking response without JWT")
    conf = p.platform_conf()
    conf.get_registration()
    try:
        claims = p.decode_tool_jwt(
            conf, token, audience=p.issuer, require=["exp", "iat", "iss", "aud"]
        )
    except (LtiException, InvalidKeySetUrl, jwt.PyJWTError, ValueError) as exc:
        return error_page(f"Deep linking response rejected: {exc}")
    problems = []
    if claims.get(CLAIM + "message_type") != "LtiDeepLinkingResponse":
        problems.append("message_type must be LtiDeepLinkingResponse")
    if claims.get(CLAIM + "version") != "1.3.0":
        problems.append("version must be 1.3.0")
    if claims.get(CLAIM + "deployment_id") != tool.deployment_id:
        problems.append("deployment_id mismatch")
    nonce = claims.get("nonce")
    if not nonce:
        problems.append("nonce missing")
    data = claims.get(DL_DATA)
    with p.store.lock:
        request_info = p.store.deep_link_requests.get(data) if isinstance(data, str) else None
        if request_info is None:
            problems.append("data does not echo a deep linking request")
        if nonce and nonce in p.store.used_dl_nonces:
            problems.append("nonce replayed")
    items = claims.get(DL_CONTENT_ITEMS) or []
    if not isinstance(items, list):
        problems.append("content_items must be a list")
        items = []
    problems += [err for err in (content_item_error(i) for i in items) if err]
    if problems:
        return error_page("Deep linking response rejected: " + "; ".join(problems))
    # No problems: the nonce is there and ``data`` named a pending request.
    assert request_info is not None and nonce and isinstance(data, str)
    created = []
    with p.store.lock:
        p.store.used_dl_nonces.add(nonce)
        p.store.deep_link_requests.pop(data, None)
        for item in items:
            title = str(item.get("title") or "Branchwise activity")
            link = p.store.add_resource_link(
                title,
                item.get("url") or tool.launch_url,
                custom={str(k): str(v) for k, v in (item.get("custom") or {}).items()},
                text=str(item.get("text") or ""),
                created_by="deep_link",
            )
            line_item = item.get("lineItem")
            if line_item:
                li = {
                    "label": line_item.get("label") or title,
                    "scoreMaximum": line_item["scoreMaximum"],
                    "resourceId": line_item.get("resourceId"),
                    "tag": line_item.get("tag"),
                    "resourceLinkId": link.id,
                }
                if line_item.get("submissionReview"):  # kept: "View submission" follows it
                    li["submissionReview"] = line_item["submissionReview"]
                p.store.create_line_item(li, context_id=link.context_id)
            created.append(link.id)
        p.store.deep_link_returns.append(
            {
                "at": time.time(),
                "user": request_info["user"],
                "created": created,
                "msg": claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/msg"),
                "errormsg": claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"),
                "claims": claims,
            }
        )
    user = p.store.users[request_info["user"]]
    message = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/msg") or (
        f"Added {len(created)} activit{'y' if len(created) == 1 else 'ies'}."
    )
    return render_course(
        user,
        iframe_src=None,
        selected=None,
        deep_linking=False,
        message=message,
        error_message=claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"),
        created=created,
        break_out=True,
    )


@bp.get("/submission_review")
def submission_review() -> Any:
    """The gradebook's "View submission": the tool's review of one learner's attempt, in
    the course page's frame (an ``LtiSubmissionReviewRequest``)."""
    p = platform()
    user = current_user()
    if not user.is_staff:
        return error_page("Only the course's instructors review submissions.", 403)
    target = f"{request.args.get('lineitem', '')}:{request.args.get('for', '')}"
    try:
        iframe_src = p.login_url(user.id, target, KIND_REVIEW)
    except LaunchError as exc:
        return error_page(str(exc), 404)
    return render_course(user, iframe_src=iframe_src, selected=None, deep_linking=False)


@bp.get("/gradebook")
def gradebook() -> Any:
    """Instructor view: learners x line items with the last applied score."""
    p = platform()
    user = current_user()
    if not user.is_staff:
        return error_page("The gradebook is for instructors.", 403)
    store = p.store
    with store.lock:
        items = sorted(store.line_items.values(), key=lambda i: int(i.id))
        learners = [u for u in store.users.values() if u.role == "learner"]
        cells = {(li.id, u.id): store.latest_score(li.id, u.id) for li in items for u in learners}
    return render_template(
        "demo_platform/gradebook.html",
        title=p.settings.title,
        user=user,
        users=list(store.users.values()),
        items=items,
        learners=learners,
        cells=cells,
        course=store.course,
    )
