"""Service endpoints of the demo LMS: OAuth2 token, AGS (line items, scores, results), NRPS."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import flask
import jwt
from flask import Blueprint, request
from lti1p3platform.exceptions import (
    InvalidKeySetUrl,
    LtiException,
    MissingRequiredClaim,
    UnsupportedGrantType,
)

from .platform import (
    ALL_SCOPES,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    DemoPlatform,
    _num,
)
from .store import ACTIVITY_PROGRESS, GRADING_PROGRESS, IssuedToken, LineItem

bp = Blueprint("demo_platform_api", __name__)

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"
MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def platform() -> DemoPlatform:
    """The demo platform of the current app."""
    return flask.current_app.extensions["demo_platform"]


def json_response(
    data: Any, status: int = 200, mimetype: str = "application/json"
) -> flask.Response:
    """Serialize ``data`` with the given media type."""
    return flask.Response(json.dumps(data), status=status, mimetype=mimetype)


def json_error(status: int, message: str, **extra: Any) -> flask.Response:
    """JSON error body ``{"error": ..., ...}``."""
    return json_response({"error": message, **extra}, status)


def oauth_error(error: str, description: str, status: int = 400) -> flask.Response:
    """RFC 6749 §5.2 error response."""
    resp = json_response({"error": error, "error_description": description}, status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def intercept(group: str) -> flask.Response | None:
    """Ask the platform's interceptors (test hooks) about a ``group`` request; None: proceed."""
    for interceptor in platform().interceptors:
        answer = interceptor(group)
        if answer is not None:
            return answer
    return None


def check_token(*scopes: str) -> tuple[IssuedToken | None, flask.Response | None]:
    """Require a live Bearer token granting at least one of ``scopes``."""
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    challenge = 'Bearer realm="demo-lms"'
    if kind.lower() != "bearer" or not token.strip():
        resp = json_error(401, "missing bearer token")
        resp.headers["WWW-Authenticate"] = challenge
        return None, resp
    issued = platform().store.get_token(token.strip())
    if issued is None:
        resp = json_error(401, "invalid or expired token")
        resp.headers["WWW-Authenticate"] = challenge + ', error="invalid_token"'
        return None, resp
    if not any(s in issued.scopes for s in scopes):
        resp = json_error(403, "insufficient scope", required=list(scopes))
        resp.headers["WWW-Authenticate"] = challenge + ', error="insufficient_scope"'
        return issued, resp
    return issued, None


def guarded(group: str, *scopes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the interceptors (test faults) for ``group`` first, then the token check."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            fault = intercept(group)
            if fault is not None:
                return fault
            _, error = check_token(*scopes)
            if error is not None:
                return error
            if kwargs.get("ctx") not in (None, platform().store.course.id):
                return json_error(404, "unknown context")
            return view(*args, **kwargs)

        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        return inner

    return wrap


def is_number(value: Any) -> bool:
    """True for finite int/float values (bool excluded)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def parse_timestamp(value: Any) -> datetime | None:
    """Parse an ISO-8601 timestamp with an explicit UTC offset; None when invalid."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# --------------------------------------------------------------------- token
@bp.post("/token")
def token() -> flask.Response:
    """OAuth2 client_credentials grant with a JWT client assertion (private_key_jwt)."""
    fault = intercept("token")
    if fault is not None:
        return fault
    p = platform()
    form = request.form.to_dict()
    if form.get("grant_type") != "client_credentials":
        return oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != JWT_BEARER:
        return oauth_error("invalid_request", "client_assertion_type must be jwt-bearer")
    assertion = form.get("client_assertion", "")
    if not assertion or not form.get("scope"):
        return oauth_error("invalid_request", "client_assertion and scope are required")
    conf = p.platform_conf()
    conf.get_registration()
    tool = p.settings.tool
    try:
        claims = p.decode_tool_jwt(
            conf, assertion, audience=p.token_url, require=["exp", "iat", "iss", "sub", "aud"]
        )
        if claims.get("sub") != tool.client_id:
            raise jwt.InvalidTokenError("sub must equal client_id")
        jti = claims.get("jti")
        with p.store.lock:
            if jti and jti in p.store.used_jtis:
                raise jwt.InvalidTokenError("client assertion replayed (jti)")
            if jti:
                p.store.used_jtis.add(jti)
        granted = conf.get_access_token(form)
    except MissingRequiredClaim as exc:
        return oauth_error("invalid_request", str(exc))
    except UnsupportedGrantType:
        return oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    except (LtiException, InvalidKeySetUrl, jwt.PyJWTError, ValueError) as exc:
        return oauth_error("invalid_client", f"client assertion rejected: {exc}", 401)
    scopes = [s for s in granted["scope"].split() if s in ALL_SCOPES]
    if not scopes:
        return oauth_error("invalid_scope", "no supported scope requested")
    now = time.time()
    lifetime = p.settings.token_lifetime
    issued = IssuedToken(
        token=granted["access_token"],
        client_id=tool.client_id,
        scopes=scopes,
        expires_at=now + lifetime,
        issued_at=now,
    )
    p.store.add_token(
        issued,
        {"at": now, "scopes": scopes, "requested": form["scope"].split(), "jti": claims.get("jti")},
    )
    resp = json_response(
        {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ----------------------------------------------------------------- line items
def validate_line_item(data: Any, ctx: str) -> str | None:
    """Return an error message for invalid line item JSON, else None."""
    if not isinstance(data, dict):
        return "body must be a JSON object"
    if not isinstance(data.get("label"), str) or not data["label"].strip():
        return "label is required"
    if not is_number(data.get("scoreMaximum")) or data["scoreMaximum"] <= 0:
        return "scoreMaximum must be a number > 0"
    for key in ("resourceId", "tag", "resourceLinkId"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            return f"{key} must be a string"
    rlid = data.get("resourceLinkId")
    if rlid is not None:
        link = platform().store.resource_links.get(rlid)
        if link is None or link.context_id != ctx:
            return "unknown resourceLinkId"
    for key in ("startDateTime", "endDateTime"):
        if data.get(key) is not None and parse_timestamp(data[key]) is None:
            return f"{key} must be ISO-8601 with offset"
    return None


def get_item(ctx: str, item_id: str) -> LineItem | None:
    """A line item of this context, or None."""
    item = platform().store.line_items.get(item_id)
    return item if item is not None and item.context_id == ctx else None


@bp.get("/api/lti/courses/<ctx>/lineitems")
@guarded("lineitems", SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
def list_line_items(ctx: str) -> flask.Response:
    """GET line items, filtered by resource_link_id, resource_id and tag."""
    p = platform()
    items = p.store.find_line_items(
        ctx,
        resource_link_id=request.args.get("resource_link_id"),
        resource_id=request.args.get("resource_id"),
        tag=request.args.get("tag"),
    )
    return json_response([p.line_item_json(i) for i in items], mimetype=MT_LINEITEMS)


@bp.post("/api/lti/courses/<ctx>/lineitems")
@guarded("lineitems", SCOPE_LINEITEM)
def create_line_item(ctx: str) -> flask.Response:
    """POST a new line item; 201 with its JSON (``id`` is its URL)."""
    data: Any = request.get_json(force=True, silent=True)  # checked by validate_*
    error = validate_line_item(data, ctx)
    if error:
        return json_error(400, error)
    p = platform()
    item = p.store.create_line_item(data, context_id=ctx)
    resp = json_response(p.line_item_json(item), 201, MT_LINEITEM)
    resp.headers["Location"] = p.lineitem_url(item)
    return resp


@bp.route("/api/lti/courses/<ctx>/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
@guarded("lineitems", SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
def line_item(ctx: str, item_id: str) -> flask.Response:
    """GET, PUT (replace) or DELETE one line item."""
    p = platform()
    if request.method != "GET":
        _, error = check_token(SCOPE_LINEITEM)
        if error is not None:
            return error
    item = get_item(ctx, item_id)
    if item is None:
        return json_error(404, "unknown line item")
    if request.method == "GET":
        return json_response(p.line_item_json(item), mimetype=MT_LINEITEM)
    if request.method == "DELETE":
        p.store.delete_line_item(item_id)
        return flask.Response(status=204)
    data: Any = request.get_json(force=True, silent=True)  # checked by validate_*
    problem = validate_line_item(data, ctx)
    if problem:
        return json_error(400, problem)
    updated = p.store.update_line_item(item_id, data)
    assert updated is not None
    return json_response(p.line_item_json(updated), mimetype=MT_LINEITEM)


# --------------------------------------------------------------------- scores
def validate_score(data: Any) -> str | None:
    """Return an error message for an invalid AGS score, else None."""
    if not isinstance(data, dict):
        return "body must be a JSON object"
    user_id = data.get("userId")
    if not isinstance(user_id, str | int) or isinstance(user_id, bool) or str(user_id) == "":
        return "userId is required"
    if str(user_id) not in platform().store.users:
        return "unknown userId"
    if data.get("activityProgress") not in ACTIVITY_PROGRESS:
        return f"activityProgress must be one of {', '.join(ACTIVITY_PROGRESS)}"
    if data.get("gradingProgress") not in GRADING_PROGRESS:
        return f"gradingProgress must be one of {', '.join(GRADING_PROGRESS)}"
    if parse_timestamp(data.get("timestamp")) is None:
        return "timestamp must be ISO-8601 with a UTC offset"
    if "scoreGiven" in data and data["scoreGiven"] is not None:
        if not is_number(data["scoreGiven"]) or data["scoreGiven"] < 0:
            return "scoreGiven must be a number >= 0"
        if "scoreMaximum" not in data:
            return "scoreMaximum is required with scoreGiven"
    if (
        "scoreMaximum" in data
        and data["scoreMaximum"] is not None
        and (not is_number(data["scoreMaximum"]) or data["scoreMaximum"] <= 0)
    ):
        return "scoreMaximum must be a number > 0"
    if "comment" in data and data["comment"] is not None and not isinstance(data["comment"], str):
        return "comment must be a string"
    return None


@bp.post("/api/lti/courses/<ctx>/lineitems/<item_id>/scores")
@guarded("scores", SCOPE_SCORE)
def post_score(ctx: str, item_id: str) -> flask.Response:
    """POST a score.

    Answers 200 ``{"applied": true}`` when stored, and 200 ``{"applied": false,
    "reason": ...}`` when its timestamp is not newer than the stored score for
    (line item, user): per AGS 2.0 it is not applied, and it is kept in the history.
    In ``moodle``/``canvas`` mode such a score is refused with 409/400 instead, and a
    rate limit answers 429/403 first (``ags_behaviour``).
    """
    if request.mimetype != MT_SCORE:
        return json_error(415, f"Content-Type must be {MT_SCORE}")
    if get_item(ctx, item_id) is None:
        return json_error(404, "unknown line item")
    data: Any = request.get_json(force=True, silent=True)  # checked by validate_*
    error = validate_score(data)
    if error:
        return json_error(400, error)
    p = platform()
    refused = p.ags.admit()
    if refused is not None:
        resp = json_error(refused.status, refused.reason)
        resp.headers.update(refused.headers)
        return resp
    record = p.store.record_score(item_id, data, p.ags)
    if record.status != 200:
        return json_error(record.status, record.reason)
    body: dict[str, Any] = {"applied": record.applied}
    if not record.applied:
        body["reason"] = record.reason
    return json_response(body)


def result_json(p: DemoPlatform, item: LineItem, user_id: str) -> dict[str, Any] | None:
    """AGS result for (line item, user) from the last applied score, scaled to the item."""
    record = p.store.latest_score(item.id, user_id)
    if record is None:
        return None
    score = record.score
    item_url = p.lineitem_url(item)
    result: dict[str, Any] = {
        "id": f"{item_url}/results/{user_id}",
        "scoreOf": item_url,
        "userId": user_id,
        "resultMaximum": _num(item.score_maximum),
        "timestamp": score["timestamp"],
    }
    if score.get("scoreGiven") is not None:
        given = float(score["scoreGiven"]) / float(score["scoreMaximum"]) * item.score_maximum
        result["resultScore"] = _num(round(given, 6))
    if score.get("comment"):
        result["comment"] = score["comment"]
    return result


@bp.get("/api/lti/courses/<ctx>/lineitems/<item_id>/results")
@guarded("results", SCOPE_RESULT_READONLY)
def results(ctx: str, item_id: str) -> flask.Response:
    """GET results of a line item (``user_id`` filter, ``limit``)."""
    p = platform()
    item = get_item(ctx, item_id)
    if item is None:
        return json_error(404, "unknown line item")
    wanted = request.args.get("user_id")
    users = [wanted] if wanted else list(p.store.users)
    out = [r for r in (result_json(p, item, u) for u in users) if r is not None]
    limit = request.args.get("limit", type=int)
    if limit:
        out = out[:limit]
    return json_response(out, mimetype=MT_RESULTS)


# ----------------------------------------------------------------------- NRPS
@bp.get("/api/lti/courses/<ctx>/memberships")
@guarded("memberships", SCOPE_NRPS)
def memberships(ctx: str) -> flask.Response:
    """NRPS membership container; ``rlid`` filter, ``limit``/``offset`` paging via Link."""
    p = platform()
    rlid = request.args.get("rlid")
    if rlid is not None and rlid not in p.store.resource_links:
        return json_error(404, "unknown resource link")
    course = p.store.course
    members = [
        {
            "status": "Active",
            "user_id": u.id,
            "name": u.name,
            "given_name": u.given_name,
            "family_name": u.family_name,
            "email": u.email,
            "lis_person_sourcedid": f"sis:{u.id}",
            "roles": u.roles,
        }
        for u in p.store.users.values()
    ]
    offset = max(request.args.get("offset", 0, type=int), 0)
    limit = request.args.get("limit", type=int)
    page = members[offset : offset + limit] if limit else members[offset:]
    body = {
        "id": request.url,
        "context": {"id": course.id, "label": course.label, "title": course.title},
        "members": page,
    }
    resp = json_response(body, mimetype=MT_MEMBERSHIPS)
    if limit and offset + limit < len(members):
        params: dict[str, Any] = {"limit": limit, "offset": offset + limit}
        if rlid is not None:
            params["rlid"] = rlid
        resp.headers["Link"] = f'<{p.memberships_url(ctx)}?{urlencode(params)}>; rel="next"'
    return resp
