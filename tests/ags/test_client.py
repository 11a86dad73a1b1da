"""Unit tests of the AGS client, the score JSON and the retry policy (no network)."""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import format_datetime
from types import SimpleNamespace

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.ags import client as ags
from lti_tool.ags.delivery import CANVAS_SUBMISSION, RetryPolicy, score_json


class DictCache:
    """Flask-Caching's get/set/delete over a dict, recording timeouts."""

    def __init__(self) -> None:
        self.data: dict[str, object] = {}
        self.timeouts: dict[str, int | None] = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, timeout=None):
        self.data[key], self.timeouts[key] = value, timeout
        return True

    def add(self, key, value, timeout=None):
        if key in self.data:
            return False
        return self.set(key, value, timeout)

    def delete(self, key):
        return self.data.pop(key, None) is not None


class FakeResponse:
    def __init__(self, status: int, body=None, headers=None, url: str = "http://lms/x") -> None:
        self.status_code, self._body, self.headers, self.url = status, body, headers or {}, url
        self.text = "" if body is None else str(body)
        self.links: dict = {}

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body


class FakeHttp:
    """Answers token POSTs with fresh tokens and service calls from a script."""

    def __init__(self, service_answers: list[FakeResponse] | None = None) -> None:
        self.token_posts: list[dict] = []
        self.calls: list[tuple[str, str, dict]] = []
        self.service_answers = list(service_answers or [])

    def post(self, url, data=None, timeout=None, headers=None):
        self.token_posts.append(data)
        return FakeResponse(200, {"access_token": f"tok-{len(self.token_posts)}",
                                  "expires_in": 3600, "token_type": "Bearer"})

    def request(self, method, url, data=None, headers=None, timeout=None):
        self.calls.append((method, url, headers))
        return self.service_answers.pop(0) if self.service_answers else FakeResponse(200, {})


@pytest.fixture(scope="module")
def creds() -> ags.ToolCredentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return ags.ToolCredentials(client_id="cid", token_url="https://lms/token",
                               private_key_pem=pem, kid="k1")


def test_retry_after_seconds_and_http_date():
    assert ags.parse_retry_after("7") == 7.0
    assert ags.parse_retry_after(None) is None and ags.parse_retry_after("soon") is None
    when = datetime.fromtimestamp(1_000_030).astimezone()
    assert ags.parse_retry_after(format_datetime(when), now=1_000_000) == pytest.approx(30, abs=1)


def test_timestamp_has_milliseconds_and_utc_offset():
    """Scores within one second still order; platforms need an explicit offset."""
    assert ags.format_timestamp(datetime(2025, 1, 2, 3, 4, 5, 678901)) == \
        "2025-01-02T03:04:05.678+00:00"


def test_scores_url_keeps_moodle_query():
    url = "https://moodle/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
    assert ags.lineitem_subresource(url, "scores") == \
        "https://moodle/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"


@pytest.mark.parametrize("status,retryable", [
    (None, True), (500, True), (502, True), (503, True), (504, True), (429, True), (408, True),
    (400, False), (401, False), (403, False), (404, False), (409, False), (422, False),
])
def test_which_errors_are_retried(status, retryable):
    assert ags.AgsError("x", status=status).retryable is retryable


def test_retry_policy_doubles_caps_and_honours_retry_after():
    policy = RetryPolicy(max_tries=5, base_seconds=2, cap_seconds=10, jitter=0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 10, 10]
    assert policy.delay(1, retry_after=7) == 7  # the platform said when
    assert policy.delay(1, retry_after=99) == 10  # but never longer than the cap
    assert not policy.gives_up(4) and policy.gives_up(5)
    jittered = RetryPolicy(base_seconds=10, jitter=0.1).delay(1, rng=random.Random(1))
    assert 9 <= jittered <= 10


def _sub(**kw):
    base = dict(timestamp=datetime(2025, 5, 1, 12, 0, 0, 250000), activity_progress="InProgress",
                grading_progress="Pending", score_given=7.5, score_maximum=10.0, comment="ok")
    return SimpleNamespace(**{**base, **kw})


def test_score_json_in_progress_and_started():
    body = score_json(_sub(), "learner-1")
    assert body == {"userId": "learner-1", "activityProgress": "InProgress",
                    "gradingProgress": "Pending", "timestamp": "2025-05-01T12:00:00.250+00:00",
                    "scoreGiven": 7.5, "scoreMaximum": 10.0, "comment": "ok"}
    started = score_json(_sub(activity_progress="Started", grading_progress="NotReady",
                              score_given=None, comment=None), "learner-1")
    assert "scoreGiven" not in started and "scoreMaximum" not in started
    assert started["gradingProgress"] == "NotReady"


def test_score_json_canvas_extension_and_clamp():
    body = score_json(_sub(activity_progress="Completed", grading_progress="FullyGraded",
                           score_given=10.2), "u", product="canvas")
    assert body["scoreGiven"] == 10.0
    assert body[CANVAS_SUBMISSION] == {"new_submission": True,
                                       "submitted_at": "2025-05-01T12:00:00.250+00:00"}
    assert score_json(_sub(), "u", "canvas")[CANVAS_SUBMISSION]["new_submission"] is False
    assert CANVAS_SUBMISSION not in score_json(_sub(), "u", "moodle")


def test_client_assertion_claims(creds):
    token = ags.client_assertion(creds, now=1_700_000_000)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["kid"] == "k1" and header["alg"] == "RS256"
    assert claims["iss"] == claims["sub"] == "cid" and claims["aud"] == "https://lms/token"
    bb = ags.ToolCredentials(**{**creds.__dict__, "audience": "https://bb/aud"})
    assert jwt.decode(ags.client_assertion(bb), options={"verify_signature": False})["aud"] \
        == "https://bb/aud"  # Blackboard's auth audience


def test_token_is_cached_per_scope_set_until_expiry(creds):
    cache, http = DictCache(), FakeHttp()
    scopes = [ags.SCOPE_SCORE, ags.SCOPE_LINEITEM]
    first = ags.get_token(creds, scopes, cache=cache, http=http, timeout=1)
    again = ags.get_token(creds, list(reversed(scopes)), cache=cache, http=http, timeout=1)
    assert first == again == "tok-1" and len(http.token_posts) == 1
    assert cache.timeouts[ags.token_cache_key(creds, scopes)] == 3600 - ags.TOKEN_EXPIRY_MARGIN
    assert ags.get_token(creds, [ags.SCOPE_SCORE], cache=cache, http=http, timeout=1) == "tok-2"
    assert http.token_posts[0]["scope"] == " ".join(sorted(scopes))
    assert http.token_posts[0]["grant_type"] == "client_credentials"


def test_401_refreshes_the_token_once(creds):
    http = FakeHttp([FakeResponse(401, {"error": "invalid_token"}), FakeResponse(200, {})])
    client = ags.AgsClient(creds, [ags.SCOPE_SCORE], cache=DictCache(), timeout=1, http=http)
    client.post_score("https://lms/li/1", {"userId": "u"})
    assert [c[2]["Authorization"] for c in http.calls] == ["Bearer tok-1", "Bearer tok-2"]
    assert http.calls[0][2]["Accept"] == "application/json"


def test_errors_carry_status_and_retry_after(creds):
    http = FakeHttp([FakeResponse(429, {"e": 1}, {"Retry-After": "3"})])
    client = ags.AgsClient(creds, [ags.SCOPE_SCORE], cache=DictCache(), timeout=1, http=http)
    with pytest.raises(ags.AgsError) as info:
        client.post_score("https://lms/li/1", {})
    assert info.value.status == 429 and info.value.retry_after == 3 and info.value.retryable


def test_connection_errors_are_retryable(creds):
    class Down(FakeHttp):
        def request(self, *a, **kw):
            raise requests.ConnectTimeout("timed out")

    client = ags.AgsClient(creds, [ags.SCOPE_SCORE], cache=DictCache(), timeout=1, http=Down())
    with pytest.raises(ags.AgsError) as info:
        client.post_score("https://lms/li/1", {})
    assert info.value.status is None and info.value.retryable


def test_find_line_items_filters_client_side(creds):
    items = [{"id": "a", "resourceLinkId": "rl-1", "tag": "x"},
             {"id": "b", "resourceLinkId": "rl-2"}]
    http = FakeHttp([FakeResponse(200, items)])
    client = ags.AgsClient(creds, [ags.SCOPE_LINEITEM], cache=DictCache(), timeout=1, http=http)
    found = client.find_line_items("https://lms/lineitems?x=1", resource_link_id="rl-1")
    assert [i["id"] for i in found] == ["a"]
    assert http.calls[0][1] == "https://lms/lineitems?x=1&resource_link_id=rl-1"


def test_find_line_items_skips_entries_without_an_id(creds):
    """An entry without a string id cannot be posted to; before, the delivery job took the
    first match and failed on it with a KeyError instead of creating its own line item."""
    items = [{"resourceLinkId": "rl-1"}, {"id": None, "resourceLinkId": "rl-1"},
             {"id": {"href": "x"}, "resourceLinkId": "rl-1"}, "junk",
             {"id": "https://lms/li/9", "resourceLinkId": "rl-1"}]
    http = FakeHttp([FakeResponse(200, items)])
    client = ags.AgsClient(creds, [ags.SCOPE_LINEITEM], cache=DictCache(), timeout=1, http=http)
    found = client.find_line_items("https://lms/lineitems", resource_link_id="rl-1")
    assert [i["id"] for i in found] == ["https://lms/li/9"]


def test_token_refused_as_invalid_client_is_retried_not_failed(creds):
    """Seen in bench/exam_day.py: the LMS's fetch of our JWKS timed out under load and it
    answered 401 invalid_client; the score must be retried (with backoff), not failed."""
    class TokenRefused:
        def post(self, url, data=None, timeout=None, headers=None):
            return FakeResponse(401, {"error": "invalid_client",
                                      "error_description": "Read timed out"}, url=url)

    with pytest.raises(ags.AgsError) as info:
        ags.request_token(creds, [ags.SCOPE_SCORE], http=TokenRefused(), timeout=1)
    assert info.value.status == 401 and info.value.retryable
    assert not info.value.rate_limited
    assert not ags.AgsError("score post answered 401", status=401).retryable


def test_a_lock_left_by_a_killed_worker_expires_in_the_file_cache(tmp_path):
    """cachelib's FileSystemCache.add ignores expiry; add_lock does not."""
    import time

    from cachelib import FileSystemCache

    cache = FileSystemCache(str(tmp_path))
    assert ags.add_lock(cache, "ags-lineitem-lock:1", timeout=1)
    assert not ags.add_lock(cache, "ags-lineitem-lock:1", timeout=1)  # held
    time.sleep(2.1)  # the holder was killed: nobody deletes the lock
    assert not cache.add("ags-lineitem-lock:1", 1, timeout=1)  # the library alone: stuck
    assert ags.add_lock(cache, "ags-lineitem-lock:1", timeout=1)
