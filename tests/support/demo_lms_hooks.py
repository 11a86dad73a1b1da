"""Test hooks of the demo LMS: the ``/_test/*`` control endpoints and fault injection.

Test-only: they live under ``tests/`` so the wheel (and ``branchwise demo``) has no
fault injection. Tests and benchmarks add them to a demo LMS app with
``install(app)`` (or ``create_test_platform_app``); the demo LMS calls every
function in ``DemoPlatform.interceptors`` before a service endpoint, and that is
where a configured fault answers instead.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import flask
from flask import Blueprint, request

from lti_tool.demo_platform import PlatformSettings, create_platform_app, get_platform
from lti_tool.demo_platform.api import json_error, json_response, platform
from lti_tool.demo_platform.keys import PlatformKeys
from lti_tool.demo_platform.platform import KIND_RESOURCE, LaunchError

bp = Blueprint("demo_platform_test", __name__, url_prefix="/_test")

FAULT_GROUPS = ("token", "lineitems", "scores", "results", "memberships", "*")
FAULT_MODES = ("status", "slow", "down")


@dataclass
class FaultPlan:
    """The faults configured through ``/_test/faults`` and how often each group was hit."""

    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, group: str) -> dict[str, Any] | None:
        """Return the fault configured for ``group`` (or ``*``), consuming one ``count``."""
        with self.lock:
            key = group if group in self.faults else ("*" if "*" in self.faults else None)
            if key is None:
                return None
            fault = self.faults[key]
            count = fault.get("count")
            if count is not None:
                if count <= 0:
                    del self.faults[key]
                    return None
                fault["count"] = count - 1
                if fault["count"] <= 0:
                    del self.faults[key]
            self.hits[group] = self.hits.get(group, 0) + 1
            return dict(fault)

    def replace(self, faults: dict[str, dict[str, Any]]) -> None:
        """Install ``faults`` (``{}`` clears) and zero the hit counters."""
        with self.lock:
            self.faults = faults
            self.hits = {}


def fault_plan(app: flask.Flask | None = None) -> FaultPlan:
    """The fault plan of ``app`` (default: the current app)."""
    return (app or flask.current_app).extensions["demo_lms_faults"]


def inject_fault(plan: FaultPlan, group: str) -> flask.Response | None:
    """Apply the fault configured for ``group``; None means proceed."""
    fault = plan.take(group)
    if fault is None:
        return None
    mode = fault.get("mode", "status")
    if mode == "slow":
        time.sleep(float(fault.get("seconds", 1)))
        return None
    if mode == "down":
        return json_error(503, "service unavailable (injected fault)")
    status = int(fault.get("status", 500))
    resp = json_error(status, "injected fault")
    if "retry_after" in fault:
        resp.headers["Retry-After"] = str(fault["retry_after"])
    return resp


def install(app: flask.Flask) -> flask.Flask:
    """Add the ``/_test`` endpoints and fault injection to a demo LMS app; returns it."""
    plan = FaultPlan()
    app.extensions["demo_lms_faults"] = plan
    get_platform(app).interceptors.append(lambda group: inject_fault(plan, group))
    app.register_blueprint(bp)
    return app


def create_test_platform_app(
    settings: PlatformSettings, *, keys: PlatformKeys | None = None
) -> flask.Flask:
    """A demo LMS app with the test hooks installed."""
    return install(create_platform_app(settings, keys=keys))


def reset_platform(app: flask.Flask) -> None:
    """Re-seed the platform's state and clear its faults (what ``POST /_test/reset`` does)."""
    get_platform(app).store.reset()
    fault_plan(app).replace({})


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> flask.Response:
    """GET the fault config, or POST a new one (replaces it; ``{}`` clears).

    Example: ``{"scores": {"mode": "status", "status": 500, "count": 3}}``;
    modes: ``status`` (+ ``status``, ``retry_after``), ``slow`` (+ ``seconds``),
    ``down`` (503). ``count`` limits how many requests are affected.
    Groups: token, lineitems, scores, results, memberships, ``*`` (all of them).
    """
    plan = fault_plan()
    if request.method == "GET":
        with plan.lock:
            return json_response({"faults": dict(plan.faults), "hits": dict(plan.hits)})
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
    plan.replace(new)
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
    plan = fault_plan()
    with plan.lock:
        snap["faults"] = copy.deepcopy(plan.faults)
        snap["fault_hits"] = dict(plan.hits)
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
    reset_platform(flask.current_app)
    return json_response({"ok": True})


@bp.post("/expire_tokens")
def expire_tokens() -> flask.Response:
    """Expire every issued access token (tests a tool's re-authentication)."""
    return json_response({"expired": platform().store.expire_tokens()})
