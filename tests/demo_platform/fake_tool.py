"""A tiny LTI tool built on PyLTI1p3, used only to exercise the demo LMS in tests.

It is *not* Branchwise: it serves a throwaway JWKS, does the OIDC login and launch
with PyLTI1p3, answers deep-linking requests and posts grades through PyLTI1p3's AGS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flask
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict

from lti_tool.demo_platform.keys import generate_private_pem, public_pem_from_private


class DictCache:
    """The minimal cache interface FlaskCacheDataStorage needs."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """Return a stored value or None."""
        return self.data.get(key)

    def set(self, key: str, value: Any, timeout: int = 0) -> bool:
        """Store a value (timeouts ignored)."""
        self.data[key] = value
        return True


@dataclass
class FakeToolKeys:
    """The throwaway tool key pair and its public JWK."""

    private_pem: str
    public_pem: str
    jwk: dict[str, Any]

    @classmethod
    def generate(cls) -> FakeToolKeys:
        """Make a new RSA key pair."""
        private = generate_private_pem()
        public = public_pem_from_private(private)
        return cls(private, public, Registration.get_jwk(public))


def create_fake_tool(
    tool_url: str, platform_url: str, keys: FakeToolKeys, client_id: str, deployment_id: str
) -> flask.Flask:
    """Build the fake tool app served at ``tool_url``, registered with the demo LMS."""
    app = flask.Flask("fake_tool")
    app.config["SECRET_KEY"] = "test-only"
    app.config["SESSION_COOKIE_NAME"] = "fake_tool_session"
    cache = DictCache()
    conf = ToolConfDict(
        {
            platform_url: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": f"{platform_url}/auth",
                    "auth_token_url": f"{platform_url}/token",
                    "key_set_url": f"{platform_url}/.well-known/jwks.json",
                    "deployment_ids": [deployment_id],
                }
            ]
        }
    )
    conf.set_private_key(platform_url, keys.private_pem, client_id=client_id)
    conf.set_public_key(platform_url, keys.public_pem, client_id=client_id)
    app.extensions["fake_tool"] = {"conf": conf, "cache": cache, "served_jwks": 0}

    def storage() -> FlaskCacheDataStorage:
        return FlaskCacheDataStorage(cache)

    @app.get("/jwks")
    def jwks() -> flask.Response:
        app.extensions["fake_tool"]["served_jwks"] += 1
        return flask.jsonify({"keys": [keys.jwk]})

    @app.route("/lti/login", methods=["GET", "POST"])
    def login() -> Any:
        # Like a real tool: redirect_uri is the registered URL, never a query-bearing target.
        target = flask.request.values["target_link_uri"].split("?", 1)[0]
        oidc = FlaskOIDCLogin(FlaskRequest(), conf, launch_data_storage=storage())
        return oidc.redirect(target)

    def validated() -> FlaskMessageLaunch:
        launch = FlaskMessageLaunch(FlaskRequest(), conf, launch_data_storage=storage())
        launch.get_launch_data()
        return launch

    @app.post("/lti/launch")
    def launch() -> Any:
        message = validated()
        return flask.jsonify(
            {
                "launch_id": message.get_launch_id(),
                "claims": message.get_launch_data(),
                "storage_target": flask.request.form.get("lti_storage_target"),
            }
        )

    @app.post("/lti/deep-link")
    def deep_link() -> Any:
        message = validated()
        resource = (
            DeepLinkResource()
            .set_url(f"{tool_url}/lti/launch?module=fractions")
            .set_title("Fractions module")
            .set_custom_params({"module": "fractions"})
            .set_lineitem(
                LineItem()
                .set_score_maximum(10)
                .set_label("Fractions")
                .set_resource_id("fractions")
                .set_tag("mastery")
            )
        )
        return message.get_deep_link().output_response_form([resource])

    @app.post("/grade/<launch_id>")
    def grade(launch_id: str) -> Any:
        message = FlaskMessageLaunch.from_cache(
            launch_id, FlaskRequest(), conf, launch_data_storage=storage()
        )
        body = flask.request.get_json()
        claims = message.get_launch_data()
        score = (
            Grade()
            .set_score_given(body["score"])
            .set_score_maximum(body.get("maximum", 1))
            .set_timestamp(body["timestamp"])
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_user_id(claims["sub"])
        )
        result = message.get_ags().put_grade(score)
        members = message.get_nrps().get_members()
        return flask.jsonify({"status": result["body"], "members": len(members)})

    return app
