"""Signed launch tokens: the learner's session without a cookie.

Inside a cross-site iframe the tool's cookies are third-party and may be
blocked, so after a launch every page carries a short-lived signed token naming
the LaunchSession row (hidden form field, ``Authorization: Bearer`` for fetch,
``?t=`` on GET links). A fresh token is minted with every page (sliding expiry).
"""

from __future__ import annotations

from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lti_tool.protocol.errors import SessionExpired

_SALT = "branchwise.launch"


@lru_cache(maxsize=8)
def _serializer(secret: str) -> URLSafeTimedSerializer:
    # Every page reads one token and mints the next: building the serializer (it
    # test-serialises a value to learn its output type) cost as much as signing.
    return URLSafeTimedSerializer(secret, salt=_SALT)


def issue(secret: str, launch_session_id: str) -> str:
    return _serializer(secret).dumps({"ls": launch_session_id})


def read(secret: str, token: str | None, max_age: int) -> str:
    """The launch session id in a token, or SessionExpired with a reason a learner understands."""
    if not token:
        raise SessionExpired("This page was opened without its launch. Open the activity "
                             "again from your course.", code="no_token")
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise SessionExpired("Your session timed out. Open the activity again from your "
                             "course; your progress is saved.", code="token_expired") from exc
    except BadSignature as exc:
        raise SessionExpired("This session link is not valid. Open the activity again "
                             "from your course.", code="bad_token") from exc
    return str(data["ls"])
