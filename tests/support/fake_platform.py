"""A minimal hand-made LTI platform for negative launch tests.

It signs id_tokens with its own RSA key and serves the JWKS over real HTTP, so
the tool fetches keys exactly as it does from an LMS. The end-to-end tests use
the independent lti1p3platform-based demo LMS instead; this one exists because
forging broken tokens needs full control over every claim and header.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from pylti1p3.registration import Registration

from lti_tool.demo_platform.harness import RunningServer, serve_in_thread
from lti_tool.protocol import claims

ISSUER = "https://lms.test"
CLIENT_ID = "client-1"
DEPLOYMENT_ID = "dep-1"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class KeyServer:
    """Serves a JWKS that tests may change (to simulate a platform key rotation)."""

    keys: list = field(default_factory=list)
    server: RunningServer | None = None
    hits: int = 0

    def start(self) -> KeyServer:
        app = Flask("test-platform-jwks")

        @app.get("/jwks")
        def jwks():
            self.hits += 1
            return jsonify({"keys": [Registration.get_jwk(public_pem(k)) for k in self.keys]})

        self.server = serve_in_thread(app)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url + "/jwks"


@dataclass
class Login:
    state: str
    nonce: str
    cookies: dict


class TestPlatform:
    """Drives the tool's login with Flask's test client and forges id_tokens."""

    __test__ = False  # not a pytest class

    def __init__(self, key_server: KeyServer, key, base_url: str = "http://localhost") -> None:
        self.key_server = key_server
        self.key = key
        self.base_url = base_url
        self.kid = Registration.get_jwk(public_pem(key))["kid"]

    def register(self) -> None:
        from lti_tool.registration.services import PlatformInput, add_platform

        add_platform(
            PlatformInput(
                issuer=ISSUER,
                client_id=CLIENT_ID,
                deployment_ids=(DEPLOYMENT_ID,),
                auth_login_url=ISSUER + "/auth",
                token_url=ISSUER + "/token",
                jwks_url=self.key_server.url,
            )
        )

    def login(self, client, *, target: str | None = None, storage: bool = False, **extra) -> Login:
        params = {
            "iss": ISSUER,
            "login_hint": "u1",
            "client_id": CLIENT_ID,
            "target_link_uri": target or self.base_url + "/lti/launch",
            "lti_deployment_id": DEPLOYMENT_ID,
            **extra,
        }
        if storage:
            params["lti_storage_target"] = "_parent"
        resp = client.get("/lti/login", query_string=params)
        assert resp.status_code in (200, 302), resp.data[:500]
        if resp.status_code == 302:
            url = resp.headers["Location"]
        else:
            url = re.search(r'data-auth-url="([^"]+)"', resp.get_data(as_text=True)).group(1)
            url = url.replace("&amp;", "&")
        query = parse_qs(urlsplit(url).query)
        cookies = {c.key: c.value for c in client._cookies.values()}
        return Login(state=query["state"][0], nonce=query["nonce"][0], cookies=cookies)

    def claims(
        self,
        nonce: str,
        *,
        message_type: str = claims.RESOURCE_LINK_REQUEST,
        roles: list[str] | None = None,
        **overrides,
    ) -> dict:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Lee Learner",
            "email": "lee@example.edu",
            claims.MESSAGE_TYPE: message_type,
            claims.VERSION: "1.3.0",
            claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims.TARGET_LINK_URI: self.base_url
            + ("/lti/deep-link" if message_type == claims.DEEP_LINKING_REQUEST else "/lti/launch"),
            claims.ROLES: roles
            if roles is not None
            else ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            claims.RESOURCE_LINK: {"id": "rl-1", "title": "Fractions"},
            claims.CONTEXT: {"id": "course-1", "title": "Maths 7", "label": "M7"},
            claims.LAUNCH_PRESENTATION: {"locale": "en", "return_url": ISSUER + "/course"},
        }
        if message_type == claims.DEEP_LINKING_REQUEST:
            body.pop(claims.RESOURCE_LINK)
            body[claims.DL_SETTINGS] = {
                "deep_link_return_url": ISSUER + "/dl-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque",
            }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not _DROP}

    def sign(
        self,
        body: dict,
        *,
        key=None,
        kid: str | None = None,
        alg: str = "RS256",
        headers: dict | None = None,
    ) -> str:
        hdr = {"kid": kid or self.kid, **(headers or {})}
        return jwt.encode(body, pem(key or self.key), algorithm=alg, headers=hdr)

    def post_launch(
        self,
        client,
        login: Login,
        id_token: str,
        path: str = "/lti/launch",
        state: str | None = None,
    ):
        return client.post(
            path, data={"id_token": id_token, "state": state if state is not None else login.state}
        )

    def launch(self, client, path: str = "/lti/launch", **claim_overrides):
        login = self.login(client, target=self.base_url + path)
        token = self.sign(self.claims(login.nonce, **claim_overrides))
        return self.post_launch(client, login, token, path)


class _Drop:
    """Marker: leave this claim out of the token."""


_DROP = _Drop()
DROP = _DROP


def random_id() -> str:
    return uuid.uuid4().hex
