"""PyLTI1p3's FlaskMessageLaunch with the gaps closed (shared/guide/lti.md §1 "Gaps").

PyLTI1p3 keeps state and nonce in a cookie-bound session and never consumes
them; it does not check aud/azp or target_link_uri and has no clock-skew leeway.
We keep its order of checks and its message validators but move state and nonce
to our database (see ``launch.services``), verify the signature ourselves with
a leeway and an audience, and refetch the platform JWKS once on an unknown kid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, cast

import jwt
import requests
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException

from lti_tool import outbound
from lti_tool.extensions import cache
from lti_tool.launch import claim_shapes
from lti_tool.launch.login_state import LoginStateRow
from lti_tool.protocol import claims
from lti_tool.protocol.errors import InvalidToken, LaunchError, StateMismatch

_PARSED_KEYS: dict[str, Any] = {}
_PARSED_KEYS_MAX = 64


def _parsed_key(jwk: dict[str, Any]) -> Any:
    """The public key object of a JWK, parsed once per process. Keyed by the JWK's whole
    content, not only its kid: a platform that re-uses a kid for a new key gets it parsed
    anew. Which keys are trusted is still decided per launch by the JWKS (cache)."""
    text = json.dumps(jwk, sort_keys=True)
    key = _PARSED_KEYS.get(text)
    if key is None:
        try:
            key = jwt.PyJWK(jwk).key
        except (jwt.PyJWKError, ValueError, TypeError) as exc:
            raise LtiException("Can't convert JWT key to PEM format") from exc
        if len(_PARSED_KEYS) >= _PARSED_KEYS_MAX:
            _PARSED_KEYS.clear()  # a few keys per platform; bounded against a hostile JWKS
        _PARSED_KEYS[text] = key
    return key


class BranchwiseMessageLaunch(FlaskMessageLaunch):
    def __init__(self, request: FlaskRequest, tool_config, login_state: LoginStateRow, *,
                 leeway: int, jwks_ttl: int, http_timeout: float,
                 allow_private: bool = False) -> None:
        super().__init__(request, tool_config)
        self._login_state = login_state
        self._leeway = leeway
        self._jwks_ttl = jwks_ttl
        self._http_timeout = http_timeout
        self._allow_private = allow_private
        self._jwks_refetched = False

    # -- state and nonce: checked against the login state's row ----------------
    def validate_state(self):
        # The LoginState row was found by the request's state before we got here,
        # and its browser binding is checked by the launch service afterwards.
        return self

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise InvalidToken("The launch message has no nonce.", code="missing_claim")
        if nonce != self._login_state.nonce:
            raise StateMismatch("The launch message was not issued for this login (nonce).",
                                code="nonce_mismatch")
        return self

    # -- signature ------------------------------------------------------------
    def fetch_public_key(self, key_set_url: str):
        cache_key = "jwks:" + hashlib.sha256(key_set_url.encode()).hexdigest()
        cached = cache.get(cache_key)
        if cached and not self._jwks_refetched:
            return cached
        # Through the outbound guard: no private addresses, 1 MiB, a total deadline.
        http = outbound.GuardedSession(allow_private=self._allow_private,
                                       deadline=self._http_timeout,
                                       max_bytes=outbound.MAX_DOCUMENT_BYTES)
        try:
            with http:
                resp = http.get(key_set_url)
            resp.raise_for_status()
            keys = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise LaunchError("The LMS's public keys could not be fetched.",
                              code="jwks_unavailable", status=502, log=str(exc)) from exc
        cache.set(cache_key, keys, timeout=self._jwks_ttl)
        return keys

    def get_public_key(self):
        try:
            return self._find_public_key()
        except LtiException as exc:
            if "Unable to find public key" not in str(exc) or self._jwks_refetched:
                raise
        # The platform may have rotated its key since we cached its JWKS: refetch once.
        self._jwks_refetched = True
        assert self._registration is not None
        self._registration.set_key_set(None)
        return self._find_public_key()

    def _find_public_key(self) -> tuple[Any, str]:
        """PyLTI1p3's ``get_public_key`` (the JWKS key whose kid and alg the JWT's header
        names), returning the parsed key: PyLTI1p3 converts the JWK to PEM with jwcrypto
        at every launch and PyJWT parses that PEM again."""
        assert self._registration is not None
        key_set = self._registration.get_key_set()
        if not key_set:
            url = self._registration.get_key_set_url() or ""
            if not url.startswith(("http://", "https://")):
                raise LtiException("Invalid URL: " + url)
            key_set = self.fetch_public_key(url)
            self._registration.set_key_set(key_set)
        header = self._jwt.get("header", {})
        kid, alg = header.get("kid"), header.get("alg")
        if not kid:
            raise LtiException("JWT KID not found")
        if not alg:
            raise LtiException("JWT ALG not found")
        for jwk in key_set.get("keys", []) if isinstance(key_set, dict) else []:
            if isinstance(jwk, dict) and jwk.get("kid") == kid \
                    and jwk.get("alg", "RS256") == alg:
                return _parsed_key(cast("dict[str, Any]", jwk)), alg
        raise LtiException("Unable to find public key")

    def validate_jwt_signature(self):
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise InvalidToken(f"Signing algorithm {header.get('alg')!r} is not accepted; "
                               "LTI 1.3 requires RS256.", code="bad_alg")
        try:
            public_key, alg = self.get_public_key()
        except LtiException as exc:
            raise InvalidToken("The launch was signed with a key the LMS does not publish.",
                               code="unknown_kid", log=str(exc)) from exc
        assert self._registration is not None
        try:
            jwt.decode(
                self._get_id_token(), public_key, algorithms=["RS256"],
                audience=self._registration.get_client_id(), leeway=self._leeway,
                options={"require": ["exp", "iat", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("The launch message has expired.", code="expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise InvalidToken("The launch message is dated in the future.",
                               code="iat_future") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("The launch message is addressed to another tool.",
                               code="bad_aud") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"The launch message lacks the claim {exc.claim!r}.",
                               code="missing_claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("The launch message's signature is not valid.",
                               code="bad_signature") from exc
        except jwt.InvalidTokenError as exc:
            raise InvalidToken("The launch message could not be verified.",
                               code="bad_token", log=str(exc)) from exc
        self._check_azp()
        # From here on every reader sees the claims in LTI's shapes (launch.claim_shapes).
        self._jwt["body"] = cast("Any", claim_shapes.normalised(self._jwt.get("body", {})))
        return self

    def _check_azp(self) -> None:
        body = self._get_jwt_body()
        aud = body.get("aud")
        assert self._registration is not None
        client_id = self._registration.get_client_id()
        azp = body.get("azp")
        # Security Framework §5.1.3: several audiences need azp, and azp must be us.
        if isinstance(aud, list) and len(aud) > 1 and azp is None:
            raise InvalidToken("The launch message has several audiences but no azp.",
                               code="bad_aud")
        if azp is not None and azp != client_id:
            raise InvalidToken("The launch message was authorised for another tool (azp).",
                               code="bad_aud")

    # -- message --------------------------------------------------------------
    def validate_message(self):
        body: Mapping[str, Any] = self._get_jwt_body()  # looked up by claim names
        missing = [name.rsplit("/", 1)[-1] for name in claims.REQUIRED_LAUNCH_CLAIMS
                   if name not in body or body[name] in (None, "")
                   and name != claims.ROLES]
        if missing:
            raise InvalidToken("The launch message lacks required claims: "
                               + ", ".join(missing) + ".", code="missing_claim")
        if body.get(claims.VERSION) != claims.LTI_VERSION:
            raise InvalidToken(f"LTI version {body.get(claims.VERSION)!r} is not supported; "
                               "expected 1.3.0.", code="bad_version")
        try:
            super().validate_message()
        except LtiException as exc:
            raise InvalidToken(f"The launch message is incomplete: {exc}.",
                               code="bad_message") from exc
        return self

    def save_launch_data(self):
        # Launches are stored by launch.services in the database, not in PyLTI1p3's
        # session storage (which would need a cookie).
        return self
