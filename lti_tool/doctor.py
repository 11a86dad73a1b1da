"""``branchwise doctor``: is this deployment ready for exam day, and if not, what to fix.

Each check returns a :class:`Finding` in plain words with the fix. The command never
changes anything (no migration, no key creation), so it can run beside a live
deployment or in a deploy script before traffic is switched over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import click
import requests
from flask import Flask

from lti_tool import outbound

OK, WARN, FAIL = "ok", "warn", "fail"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Finding:
    """One check's result: ``status`` ok/warn/fail, what was seen, and what to do."""

    check: str
    status: str
    message: str
    fix: str = ""


def check_base_url(app: Flask) -> Finding:
    """LMSs launch and post to the URLs built from the base URL: it must be https."""
    url = app.config["BRANCHWISE"].base_url
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return Finding("base URL", OK, f"{url} is https")
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return Finding("base URL", WARN, f"{url} is plain http on this machine (fine for a "
                       "demo; no LMS can launch it from outside)",
                       "set BRANCHWISE_BASE_URL to the tool's public https origin")
    return Finding("base URL", FAIL, f"{url!r} is not an https URL; LMSs refuse "
                   "plain-http tools and browsers drop the launch cookie",
                   "set BRANCHWISE_BASE_URL to the tool's public https origin "
                   "(e.g. https://branchwise.school.edu)")


def check_secret(app: Flask) -> Finding:
    """Every host must sign launch tokens and sessions with the same secret."""
    import os

    settings = app.config["BRANCHWISE"]
    from_env = bool(os.environ.get("BRANCHWISE_SECRET_KEY"))
    shared_services = bool(settings.redis_url) or not settings.is_sqlite
    if len(settings.secret_key) < 32:
        return Finding("secret key", FAIL, f"the secret key is only {len(settings.secret_key)} "
                       "characters long", "set BRANCHWISE_SECRET_KEY to a random string of "
                       "at least 32 characters (python -c 'import secrets; "
                       "print(secrets.token_urlsafe(48))')")
    if not from_env and shared_services:
        return Finding("secret key", WARN, "the secret key was generated in this host's "
                       "instance folder, but the database/Redis suggest several hosts; "
                       "each host would make its own and reject the others' launches",
                       "set the same BRANCHWISE_SECRET_KEY on every host")
    where = "BRANCHWISE_SECRET_KEY" if from_env else "the instance folder (one host)"
    return Finding("secret key", OK, f"set, from {where}")


def _database_error(app: Flask) -> Exception | None:
    """What stops a plain ``SELECT 1``, or None when the database answers."""
    from sqlalchemy import text

    from lti_tool.extensions import db

    try:
        with app.app_context():
            db.session.execute(text("SELECT 1"))
            db.session.remove()
    except Exception as exc:  # any driver error means "not reachable" to an admin
        return exc
    return None


def _table_fix(app: Flask) -> str:
    """The fix when a table cannot be read: the connection first, else the schema.

    Telling an admin whose database is unreachable to run a migration sends them the
    wrong way; an empty database that answers does need one.
    """
    if _database_error(app) is not None:
        return "fix the database connection first (see the database check)"
    return "run `branchwise db upgrade` first (also done by `serve` and `worker` at start)"


def check_database(app: Flask) -> Finding:
    """The database answers a query."""
    exc = _database_error(app)
    if exc is not None:
        return Finding("database", FAIL, f"cannot query the database: {_short(exc)}",
                       "check BRANCHWISE_DATABASE_URL, that the server runs and that this "
                       "host may connect")
    url = app.config["BRANCHWISE"].sqlalchemy_url
    return Finding("database", OK, f"reachable ({_redact(url)})")


def check_redis(app: Flask) -> Finding:
    """Redis (when configured) answers PING; without it caches and queue are local."""
    settings = app.config["BRANCHWISE"]
    if not settings.redis_url:
        return Finding("redis", OK, "not configured: queue and cache live in the instance "
                       "folder (one host only)")
    try:
        import redis

        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3,
                             socket_timeout=3).ping()
    except Exception as exc:
        return Finding("redis", FAIL, f"cannot reach Redis at {_redact(settings.redis_url)}: "
                       f"{_short(exc)}", "check BRANCHWISE_REDIS_URL and that Redis runs")
    return Finding("redis", OK, f"reachable ({_redact(settings.redis_url)})")


def check_migrations(app: Flask) -> Finding:
    """The schema is at the code's newest migration."""
    from lti_tool.db import migration_heads

    try:
        current, heads = migration_heads(app)
    except Exception as exc:
        return Finding("migrations", FAIL, f"cannot read the schema version: {_short(exc)}",
                       "fix the database connection first")
    if current == heads:
        return Finding("migrations", OK, f"current ({', '.join(sorted(heads))})")
    have = ", ".join(sorted(current)) or "none (empty database)"
    return Finding("migrations", FAIL, f"the database is at {have}, the code needs "
                   f"{', '.join(sorted(heads))}", "run `branchwise db upgrade` (also done by "
                   "`serve` and `worker` at start)")


def check_keys(app: Flask) -> Finding:
    """An active signing key exists (LMSs verify our JWTs with its public half)."""
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import ToolKey

    try:
        with app.app_context():
            active = db.session.scalars(select(ToolKey).where(ToolKey.status == "active")).all()
            db.session.remove()
    except Exception as exc:
        return Finding("signing keys", FAIL, f"cannot read keys: {_short(exc)}",
                       _table_fix(app))
    if not active:
        return Finding("signing keys", FAIL, "no active signing key", "run `branchwise keys "
                       "list` (creates the first key) or start `branchwise serve`")
    return Finding("signing keys", OK, f"{len(active)} active (kid {active[-1].kid})")


def check_worker(app: Flask, *, now: float | None = None) -> Finding:
    """A queue consumer wrote its heartbeat recently (grades wait for it)."""
    from lti_tool.jobs.heartbeat import STALE_AFTER, last_beat

    settings = app.config["BRANCHWISE"]
    if settings.queue_immediate:
        return Finding("worker", WARN, "BRANCHWISE_QUEUE_IMMEDIATE is on: grades are sent "
                       "inside learners' requests (tests only)",
                       "unset BRANCHWISE_QUEUE_IMMEDIATE and run `branchwise worker`")
    try:
        with app.app_context():
            last = last_beat()
    except Exception as exc:
        return Finding("worker", FAIL, f"cannot read the worker heartbeat: {_short(exc)}",
                       "check the cache (Redis or the instance folder)")
    now = time.time() if now is None else now
    if last is None:
        return Finding("worker", FAIL, "no worker has ever run here: grades are queued but "
                       "not sent", "start `branchwise worker` beside `serve`")
    age = now - last
    if age > STALE_AFTER:
        return Finding("worker", FAIL, f"no worker has run for {age / 60:.0f} minutes: "
                       "grades are queued but not sent",
                       "start (or restart) `branchwise worker`")
    return Finding("worker", OK, f"a worker was alive {age:.0f} s ago")


def check_platform_jwks(app: Flask) -> list[Finding]:
    """Each active platform's JWKS answers with keys (launches are verified with them)."""
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import Platform

    try:
        with app.app_context():
            platforms = [(p.issuer, p.client_id, p.key_set_url) for p in db.session.scalars(
                select(Platform).where(Platform.status == "active"))]
            db.session.remove()
    except Exception as exc:
        return [Finding("platforms", FAIL, f"cannot list platforms: {_short(exc)}",
                        _table_fix(app))]
    if not platforms:
        return [Finding("platforms", WARN, "no platform registered: nobody can launch",
                        "register one: `branchwise platform add ...` or dynamic registration")]
    # The same guarded client as the launch's JWKS fetch (public addresses unless allowed,
    # size cap, total deadline), so the doctor sees what a launch would see.
    guarded = outbound.session(app.config["BRANCHWISE"])
    found = []
    for issuer, client_id, jwks_url in platforms:
        name = f"platform {issuer} ({client_id})"
        try:
            resp = guarded.get(jwks_url)
            keys = resp.json().get("keys") if resp.ok else None
        except (requests.RequestException, ValueError, AttributeError) as exc:
            found.append(Finding(name, FAIL, f"JWKS {jwks_url} unreachable: {_short(exc)}",
                                 "check the JWKS URL and that this host can reach the LMS"))
            continue
        if not resp.ok or not keys:
            found.append(Finding(name, FAIL, f"JWKS {jwks_url} answered {resp.status_code} "
                                 "without keys", "check the JWKS URL in the registration"))
        else:
            found.append(Finding(name, OK, f"JWKS reachable, {len(keys)} key(s)"))
    return found


CHECKS: tuple[Callable[[Flask], Finding | list[Finding]], ...] = (
    check_base_url, check_secret, check_database, check_redis, check_migrations, check_keys,
    check_worker, check_platform_jwks)


def run_checks(app: Flask) -> list[Finding]:
    """Every check, in order; later ones still run when an earlier one fails."""
    findings: list[Finding] = []
    for check in CHECKS:
        result = check(app)
        findings.extend(result if isinstance(result, list) else [result])
    return findings


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0] if text else ''}"[:200]


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def doctor(as_json: bool, strict: bool) -> None:
    """Check settings and reachability; say what to fix. Exit 1 when something fails."""
    import json

    from lti_tool import create_app

    findings = run_checks(create_app())  # no upgrade: report, never change
    if as_json:
        click.echo(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        for f in findings:
            click.echo(f"{f.status.upper():4}  {f.check}: {f.message}")
            if f.fix and f.status != OK:
                click.echo(f"      fix: {f.fix}")
    bad = {FAIL, WARN} if strict else {FAIL}
    failed = [f for f in findings if f.status in bad]
    if not as_json:
        click.echo(f"{len(failed)} problem(s)" if failed else "all checks passed")
    raise SystemExit(1 if failed else 0)
