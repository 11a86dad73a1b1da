"""AGS 2.0 over HTTP: access tokens, line items, scores and results.

Plain functions and a small client class that take the platform's endpoints
and our key as arguments; nothing here knows about Flask requests or the job
queue. Errors carry enough to decide on a retry (``AgsError.retryable``,
``retry_after``) so the delivery job can tell "try later" from "never works".
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import requests

from lti_tool import outbound
from lti_tool.protocol.claims import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)

AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)

# AGS 2.0 media types (§3.2, §3.4, §3.5): platforms may refuse a score without its own type.
MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"
MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A token is dropped from the cache this long before the platform says it expires, so a
# request never leaves with a token that dies in flight.
TOKEN_EXPIRY_MARGIN = 30
# Status codes that mean "the platform is busy or broken right now", not "your request is bad".
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class AgsError(Exception):
    """A failed call to a platform; ``status`` is None for timeouts and connection errors."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None, url: str = "",
                 rate_limited: bool | None = None, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.url = url
        self._rate_limited = rate_limited
        self._retryable = retryable

    @property
    def rate_limited(self) -> bool:
        """429, or Canvas's throttling answer (403 "Rate Limit Exceeded"): the platform is
        busy, the score is fine; delivery to the whole platform slows down."""
        if self._rate_limited is not None:
            return self._rate_limited
        return self.status == 429

    @property
    def timestamp_conflict(self) -> bool:
        """The platform refused the score's timestamp as not newer than the one it holds.

        Moodle answers 409; Canvas answers 400 "Provided timestamp of ... before last
        updated timestamp of ...". Re-sending the newest score with a fresh timestamp
        is the cure; dropping it would lose the grade.
        """
        if self.status == 409:
            return True
        text = str(self).lower()
        return self.status == 400 and "timestamp" in text and (
            "before last updated" in text or "earlier timestamp" in text)

    @property
    def retryable(self) -> bool:
        """Timeouts, connection errors, 5xx and 429 pass; other 4xx never will by retrying
        (except where the caller knows better: ``retryable=``)."""
        if self._retryable is not None:
            return self._retryable
        return (self.status is None or self.status in RETRYABLE_STATUS or self.status >= 500
                or self.rate_limited)


class TokenCache(Protocol):
    """The part of Flask-Caching's ``Cache`` the token client needs (shared between processes)."""

    def get(self, key: str) -> Any: ...
    def add(self, key: str, value: Any, timeout: int | None = None) -> bool: ...
    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...
    def delete(self, key: str) -> Any: ...


@dataclass(frozen=True)
class ToolCredentials:
    """What the tool needs to ask one platform for a token: who we are and where to ask."""

    client_id: str
    token_url: str
    private_key_pem: str
    kid: str
    audience: str | None = None  # Blackboard (and D2L) want their own audience, not token_url

    @property
    def cache_id(self) -> str:
        """Identifies the platform registration; scopes are added by the token cache key."""
        return f"{self.token_url}|{self.client_id}|{self.audience or ''}"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def format_timestamp(value: datetime | float) -> str:
    """ISO 8601 with milliseconds and an explicit offset, as AGS scores need.

    Stored timestamps are naive UTC; several scores in one second must still
    compare strictly increasing on the platform, hence the sub-second part
    (a platform comparing whole seconds, Moodle, is handled by the delivery's
    spacing, not here). A float is epoch seconds.
    """
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def token_cache_key(creds: ToolCredentials, scopes: Iterable[str]) -> str:
    """One cache entry per platform registration and scope set, shared by every process."""
    raw = creds.cache_id + "|" + " ".join(sorted(set(scopes)))
    return "ags-token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def client_assertion(creds: ToolCredentials, *, now: float | None = None) -> str:
    """The signed JWT proving our identity (1EdTech Security Framework §4.1.1)."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": creds.client_id,
        "sub": creds.client_id,
        "aud": creds.audience or creds.token_url,
        "iat": issued - 5,  # a platform clock slightly behind ours must not see the future
        "exp": issued + 300,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, creds.private_key_pem, algorithm="RS256",
                      headers={"kid": creds.kid})


def is_rate_limit_answer(status: int, headers: Any, body: str) -> bool:
    """429, or Canvas's 403 with "Rate Limit Exceeded" / ``X-Rate-Limit-Remaining: 0``.

    Canvas throttles API calls with a 403 rather than 429 (its API docs, "Throttling");
    a plain 403 (missing scope, disabled tool) is not one and stays a failure.
    """
    if status == 429:
        return True
    if status != 403:
        return False
    remaining = (headers.get("X-Rate-Limit-Remaining") or "").strip()
    try:
        exhausted = remaining != "" and float(remaining) <= 0
    except ValueError:
        exhausted = False
    return exhausted or "rate limit exceeded" in body.lower()


def _error_from(resp: requests.Response, what: str) -> AgsError:
    detail = resp.text[:300].strip()
    return AgsError(f"{what} answered {resp.status_code}: {detail}", status=resp.status_code,
                    retry_after=parse_retry_after(resp.headers.get("Retry-After")),
                    url=resp.url,
                    rate_limited=is_rate_limit_answer(resp.status_code, resp.headers, detail))


def add_lock(cache: Any, key: str, *, timeout: int) -> bool:
    """``cache.add`` as a lock with a lease that really expires.

    cachelib's FileSystemCache (the embedded default's shared cache) answers ``add``
    from the file's existence alone, ignoring its expiry: a lock left by a worker that
    was killed while holding it was never free again, and no score of that link could
    create its line item (seen in bench/exam_day.py, which SIGKILLs the queue worker).
    An expired lock is removed and taken.
    """
    if cache.add(key, 1, timeout=timeout):
        return True
    has = getattr(cache, "has", None)
    if has is None or has(key):
        return False  # held, and its lease has not run out
    cache.delete(key)
    return bool(cache.add(key, 1, timeout=timeout))


def request_token(creds: ToolCredentials, scopes: Iterable[str], *, http: requests.Session,
                  timeout: float) -> tuple[str, int]:
    """client_credentials grant with a JWT assertion; returns (token, expires_in seconds)."""
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": client_assertion(creds),
        "scope": " ".join(sorted(set(scopes))),
    }
    try:
        resp = http.post(creds.token_url, data=data, timeout=timeout,
                         headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise AgsError(f"token request failed: {exc.__class__.__name__}: {exc}",
                       url=creds.token_url) from exc
    if resp.status_code != 200:
        error = _error_from(resp, "token endpoint")
        if resp.status_code in (400, 401) and not error.rate_limited:
            # "invalid_client" is also what a platform answers when it could not check our
            # assertion right now (its fetch of our JWKS timed out under load, a new key
            # not yet seen): retried with backoff, and `failed` after the last try.
            error._retryable = True
        raise error
    try:
        body = resp.json()
        token = str(body["access_token"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AgsError("token endpoint answered without access_token", status=resp.status_code,
                       url=creds.token_url) from exc
    try:
        expires_in = int(body.get("expires_in") or 3600)
    except (TypeError, ValueError):
        expires_in = 3600
    return token, expires_in


def get_token(creds: ToolCredentials, scopes: Iterable[str], *, cache: TokenCache,
              http: requests.Session, timeout: float) -> str:
    """A cached token for these scopes, or a fresh one cached until shortly before expiry.

    A lock entry in the same shared cache lets one worker (thread or process) fetch
    while the others wait for its token, so a burst of jobs costs one token request.
    """
    key = token_cache_key(creds, scopes)
    cached = cache.get(key)
    if cached:
        return str(cached)
    # Threads of one process queue here; the cache lock below covers other processes
    # (a file cache's add() is not atomic between threads).
    with _process_lock(key):
        return _fetch_once(creds, scopes, key, cache=cache, http=http, timeout=timeout)


def _process_lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _fetch_once(creds: ToolCredentials, scopes: Iterable[str], key: str, *, cache: TokenCache,
                http: requests.Session, timeout: float) -> str:
    lock, hold = key + ":lock", int(timeout) + 5
    acquired = add_lock(cache, lock, timeout=hold)
    deadline = time.monotonic() + hold
    while not acquired and time.monotonic() < deadline:
        time.sleep(0.05)
        cached = cache.get(key)
        if cached:
            return str(cached)
        acquired = add_lock(cache, lock, timeout=hold)
    try:
        cached = cache.get(key)  # fetched by the previous holder just before we got the lock
        if cached:
            return str(cached)
        token, expires_in = request_token(creds, scopes, http=http, timeout=timeout)
        ttl = (expires_in - TOKEN_EXPIRY_MARGIN if expires_in > 2 * TOKEN_EXPIRY_MARGIN
               else expires_in)
        if ttl > 0:
            cache.set(key, token, timeout=ttl)
        return token
    finally:
        if acquired:
            cache.delete(lock)


def lineitem_subresource(lineitem_url: str, name: str) -> str:
    """``<lineitem>/scores`` or ``/results`` keeping the query string where it belongs.

    Moodle's line item URLs carry ``?type_id=N``; appending to the raw string
    would put ``/scores`` inside the query.
    """
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + name))


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


class AgsClient:
    """Calls one platform's AGS endpoints with a token for ``scopes``.

    A 401 on a service call drops the cached token and retries once with a new
    one: platforms revoke tokens early (restarts, key changes) and the cache
    cannot know.
    """

    def __init__(self, creds: ToolCredentials, scopes: Iterable[str], *, cache: TokenCache,
                 timeout: float, http: requests.Session | None = None) -> None:
        self.creds = creds
        self.scopes = tuple(sorted(set(scopes)))
        self.cache = cache
        self.timeout = timeout
        self.http = http or outbound.service_session()

    def token(self) -> str:
        return get_token(self.creds, self.scopes, cache=self.cache, http=self.http,
                         timeout=self.timeout)

    def _call(self, method: str, url: str, what: str, *, accept: str,
              body: dict | None = None, content_type: str | None = None) -> requests.Response:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept}
            data = None
            if body is not None:
                headers["Content-Type"] = content_type or "application/json"
                data = json.dumps(body)
            try:
                resp = self.http.request(method, url, data=data, headers=headers,
                                         timeout=self.timeout)
            except requests.RequestException as exc:
                raise AgsError(f"{what} failed: {exc.__class__.__name__}: {exc}",
                               url=url) from exc
            if resp.status_code == 401 and attempt == 1:
                self.cache.delete(token_cache_key(self.creds, self.scopes))
                continue
            if resp.status_code >= 300:
                raise _error_from(resp, what)
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _json(resp: requests.Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise AgsError(f"{what} answered non-JSON", status=resp.status_code,
                           url=resp.url) from exc

    def find_line_items(self, lineitems_url: str, *, resource_link_id: str | None = None,
                        tag: str | None = None, resource_id: str | None = None) -> list[dict]:
        """GET the container filtered server-side, and again client-side (filters are
        optional for platforms, and some ignore them)."""
        params = {k: v for k, v in (("resource_link_id", resource_link_id), ("tag", tag),
                                    ("resource_id", resource_id)) if v}
        resp = self._call("GET", _with_query(lineitems_url, params), "line item search",
                          accept=MT_LINEITEMS)
        items = self._json(resp, "line item search")
        if not isinstance(items, list):
            return []
        wanted = {"resourceLinkId": resource_link_id, "tag": tag, "resourceId": resource_id}
        # An entry without a string id cannot be posted to (an LMS's error entry, a stub).
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)
                and i["id"] and all(v is None or i.get(k) == v for k, v in wanted.items())]

    def create_line_item(self, lineitems_url: str, item: dict) -> dict:
        """POST a new line item (AGS §3.2.4); returns the platform's JSON with its ``id`` URL."""
        resp = self._call("POST", lineitems_url, "line item create", accept=MT_LINEITEM,
                          body=item, content_type=MT_LINEITEM)
        created = self._json(resp, "line item create")
        if not isinstance(created, dict) or not created.get("id"):
            raise AgsError("line item create answered without an id", status=resp.status_code,
                           url=lineitems_url)
        return created

    def line_item(self, lineitem_url: str) -> dict:
        """GET one line item (AGS §3.2.5): its label, scoreMaximum, ... as the LMS holds it."""
        resp = self._call("GET", lineitem_url, "line item read", accept=MT_LINEITEM)
        item = self._json(resp, "line item read")
        if not isinstance(item, dict):
            raise AgsError("line item read answered no JSON object", status=resp.status_code,
                           url=lineitem_url)
        return item

    def post_score(self, lineitem_url: str, score: dict) -> requests.Response:
        """POST a score (AGS §3.4). The platform ignores one older than what it holds."""
        return self._call("POST", lineitem_subresource(lineitem_url, "scores"), "score post",
                          accept="application/json", body=score, content_type=MT_SCORE)

    def results(self, lineitem_url: str, *, user_id: str | None = None) -> list[dict]:
        """GET the line item's results (AGS §3.5), optionally for one user."""
        url = lineitem_subresource(lineitem_url, "results")
        if user_id:
            url = _with_query(url, {"user_id": user_id})
        out: list[dict] = []
        while url:
            resp = self._call("GET", url, "results", accept=MT_RESULTS)
            page = self._json(resp, "results")
            out.extend(r for r in (page if isinstance(page, list) else []) if isinstance(r, dict))
            # requests keeps the Link header's case, unlike PyLTI1p3 which lower-cases it.
            url = resp.links.get("next", {}).get("url", "")
        return out

