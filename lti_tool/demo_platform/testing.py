"""Test hooks of the demo LMS (always on: it is a harness bound to 127.0.0.1)."""

from __future__ import annotations

from typing import Any

import flask
from flask import Blueprint, request

from .api import json_error, json_response, platform
from .platform import KIND_RESOURCE, LaunchError

bp = Blueprint("demo_platform_test", __name__, url_prefix="/_test")

FAULT_GROUPS = ("token", "lineitems", "scores", "results", "memberships", "*")
FAULT_MODES = ("status", "slow", "down")


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> flask.Response:
    """GET the fault config, or POST a new one (replaces it; ``{}`` clears).

    Example: ``{"scores": {"mode": "status", "status": 500, "count": 3}}``;
    modes: ``status`` (+ ``status``, ``retry_after``), ``slow`` (+ ``seconds``),
    ``down`` (503). ``count`` limits how many requests are affected.
    Groups: token, lineitems, scores, results, memberships, ``*`` (all of them).
    """
    store = platform().store
    if request.method == "GET":
        with store.lock:
            return json_response({"faults": dict(store.faults), "hits": dict(store.fault_hits)})
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        return json_error(400, "body must be a JSON object")
    new: dict[str, dict[str, Any]] = {}
    for group, spec in data.items():
        if group not in FAULT_GROUPS:
            return json_error(400, f"unknown fault group {group!r}", groups=list(FAULT_GROUPS))
        if not isinstance(spec, dict) or spec.get("mode", "status") not in FAULT_MODES:
            return json_error(400, f"bad fault spec for {group!r}", modes=list(FAULT_MODES))
        new[group] = dict(spec)
    with store.lock:
        store.faults = new
        store.fault_hits = {}
    return json_response({"faults": new})


@bp.route("/ags", methods=["GET", "POST"])
def ags_behaviour() -> flask.Response:
    """GET or POST the score endpoint's behaviour and its counters.

    Example: ``{"mode": "moodle", "rate": 10, "burst": 10}``; modes ``spec``,
    ``moodle`` (whole-second timestamps, 409), ``canvas`` (400 on an older timestamp,
    403 "Rate Limit Exceeded"); ``rate`` 0 turns rate limiting off. A POST resets the
    counters (``posts``, ``rate_limited``, ``conflicts``).
    """
    p = platform()
    if request.method == "POST":
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            return json_error(400, "body must be a JSON object")
        try:
            p.ags.configure(data.get("mode"), data.get("rate"), data.get("burst"))
        except (TypeError, ValueError) as exc:
            return json_error(400, str(exc))
    return json_response(p.ags.as_dict())


@bp.post("/learners")
def add_learners() -> flask.Response:
    """Enrol ``{"count": n}`` more learners (``learner-00001`` ...); returns their ids."""
    data = request.get_json(force=True, silent=True) or {}
    count = data.get("count")
    if not isinstance(count, int) or not 0 < count <= 100_000:
        return json_error(400, "count must be an integer between 1 and 100000")
    return json_response({"users": platform().store.add_learners(count)})


@bp.get("/state")
def state() -> flask.Response:
    """Everything the platform knows, as JSON."""
    p = platform()
    snap = p.store.snapshot()
    snap["ags"] = p.ags.as_dict()
    snap["issuer"] = p.issuer
    snap["urls"] = {
        "auth": p.auth_url,
        "token": p.token_url,
        "jwks": p.jwks_url,
        "deep_link_return": p.deep_link_return_url,
        "lineitems": p.lineitems_url(p.store.course.id),
        "memberships": p.memberships_url(p.store.course.id),
    }
    with p.store.lock:
        snap["line_item_urls"] = {i.id: p.lineitem_url(i) for i in p.store.line_items.values()}
    return json_response(snap)


@bp.get("/launch_url")
def launch_url() -> flask.Response:
    """``{"url": ...}``: the third-party login URL for ?user=&link=&kind=resource|deep_link."""
    p = platform()
    try:
        url = p.login_url(
            request.args.get("user", "alice"),
            request.args.get("link", "rl-1"),
            request.args.get("kind", KIND_RESOURCE),
        )
    except LaunchError as exc:
        return json_error(400, str(exc))
    return json_response({"url": url})


@bp.post("/reset")
def reset() -> flask.Response:
    """Re-seed all state (course, links, line items; drops scores, tokens, faults)."""
    platform().store.reset()
    return json_response({"ok": True})


@bp.post("/expire_tokens")
def expire_tokens() -> flask.Response:
    """Expire every issued access token (tests a tool's re-authentication)."""
    return json_response({"expired": platform().store.expire_tokens()})
