"""Helpers for tests that forge (or tamper with) launches signed like the demo LMS.

Test-only: it lives under ``tests/`` so the wheel does not ship an id_token forger.

``key=None`` means the platform's own key: that of ``platform`` (an app or
``DemoPlatform``) or, when omitted, of the most recently created demo platform app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

import flask
import jwt
from lti1p3platform.registration import Registration

from lti_tool.demo_platform.app import get_platform
from lti_tool.demo_platform.keys import public_pem_from_private
from lti_tool.demo_platform.platform import KIND_DEEP_LINK, KIND_RESOURCE, DemoPlatform
from lti_tool.demo_platform.store import ResourceLink, User

PlatformRef = flask.Flask | DemoPlatform | None


def _resolve(platform: PlatformRef) -> DemoPlatform:
    if isinstance(platform, DemoPlatform):
        return platform
    return get_platform(platform)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_id_token(
    claims: dict[str, Any],
    *,
    key: str | bytes | None = None,
    kid: str | None = None,
    alg: str = "RS256",
    headers: dict[str, Any] | None = None,
    platform: PlatformRef = None,
) -> str:
    """Sign ``claims`` as a JWT.

    - ``key=None``: the platform's private key, and ``kid`` defaults to its kid.
    - ``key`` given (PEM): ``kid`` defaults to that key's RFC 7638 thumbprint.
    - ``kid=""`` leaves ``kid`` out of the header; ``headers`` are merged last.
    - ``alg="none"`` gives an unsigned token; ``alg="HS256"`` (etc.) signs with ``key``
      (or the platform *public* PEM) as the HMAC secret: the classic key-confusion attack.
    """
    if isinstance(key, bytes):
        key = key.decode("ascii")
    header: dict[str, Any] = {"typ": "JWT", "alg": alg}
    if alg.startswith("HS") or alg == "none":
        secret = key if key is not None else _resolve(platform).keys.public_pem
        if kid is None:
            kid = _resolve(platform).keys.kid if key is None else None
        if kid:
            header["kid"] = kid
        header.update(headers or {})
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(claims, separators=(",", ":")).encode())
        )
        if alg == "none":
            return signing_input + "."
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        sig = hmac.new(secret.encode(), signing_input.encode("ascii"), digest).digest()
        return signing_input + "." + _b64(sig)
    if key is None:
        demo = _resolve(platform)
        key = demo.keys.private_pem
        if kid is None:
            kid = demo.keys.kid
    elif kid is None:
        kid = Registration.get_jwk(public_pem_from_private(key))["kid"]
    extra = dict(headers or {})
    if kid:
        extra.setdefault("kid", kid)
    return jwt.encode(claims, key, algorithm=alg, headers=extra or None)


def build_launch_claims(
    user: str | User,
    link: str | ResourceLink | None,
    nonce: str,
    *,
    kind: str = KIND_RESOURCE,
    platform: PlatformRef = None,
    dl_data: str | None = None,
    lifetime: int | None = None,
    overrides: dict[str, Any] | None = None,
    remove: Iterable[str] = (),
) -> dict[str, Any]:
    """The claims the demo LMS would put in an id_token, ready for ``sign_id_token``.

    ``kind="deep_link"`` builds an LtiDeepLinkingRequest (``link`` ignored); a fresh
    ``data`` value is registered so the platform accepts the tool's response.
    ``overrides`` are merged last; ``remove`` drops claims (to test missing ones).
    """
    demo = _resolve(platform)
    store = demo.store
    user_obj = store.users[user] if isinstance(user, str) else user
    link_obj: ResourceLink | None = None
    if kind == KIND_RESOURCE:
        link_obj = store.resource_links[link] if isinstance(link, str) else link
        if link_obj is None:
            raise ValueError("a resource launch needs a link")
    elif kind == KIND_DEEP_LINK and dl_data is None:
        dl_data = demo.new_dl_data(user_obj, nonce)
    claims = demo.claims_for(user_obj, kind, link_obj, nonce, dl_data=dl_data, lifetime=lifetime)
    claims.update(overrides or {})
    for name in remove:
        claims.pop(name, None)
    return claims
