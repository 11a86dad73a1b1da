"""Flask adapter for the ``lti1p3platform`` package (it only ships a Django one).

The library supplies the claim builders and signing; these classes plug Flask's
request/response objects into its abstract classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flask
import werkzeug.wrappers
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

if TYPE_CHECKING:
    from .platform import DemoPlatform


class FlaskRequest(Request):
    """``lti1p3platform`` request built from the current ``flask.request``."""

    def build_metadata(self, request: flask.Request) -> TRequest:
        """Copy what the library reads (args, form, headers, JSON body)."""
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": request.args.to_dict(),
            "headers": request.headers,
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(silent=True),
        }


class DictRequest(Request):
    """``lti1p3platform`` request built from a plain dict (for forging launches in tests)."""

    def build_metadata(self, request: dict[str, Any]) -> TRequest:
        """Treat the dict as the OIDC auth request parameters."""
        return {
            "method": "POST",
            "form_data": dict(request),
            "get_data": {},
            "headers": {},
            "content_type": "application/x-www-form-urlencoded",
            "path": "/auth",
            "json": None,
        }


class DemoPlatformConf(LTI1P3PlatformConfAbstract):
    """Platform config: one registration (the tool), built from ``DemoPlatform``.

    Create one per request: the base class keeps the JWT being verified on ``self``.
    """

    _platform: DemoPlatform

    def init_platform_config(self, **kwargs: Any) -> None:
        """Keep a reference to the demo platform."""
        self._platform = kwargs["platform"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        """The tool's registration (fresh, so the tool JWKS is fetched again)."""
        return self._platform.registration()


class FlaskOIDCLogin(OIDCLoginAbstract):
    """Third-party initiated login: builds the URL of the tool's OIDC login endpoint."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        """Set the opaque ``lti_message_hint`` (``resource:<link>`` / ``deep_link:<ctx>``)."""
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> werkzeug.wrappers.Response:
        """Redirect the browser to the tool's login URL."""
        return flask.redirect(url)


class FlaskMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """LTI Advantage launch rendered as an auto-submitting Flask form."""

    form_extra: dict[str, str]

    def __init__(self, request: Request, platform_config: LTI1P3PlatformConfAbstract) -> None:
        super().__init__(request, platform_config)
        self.form_extra = {}
        self.last_launch_data: dict[str, Any] = {}

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> str:
        """Render the form POSTing ``id_token`` + ``state`` to the tool's redirect_uri."""
        self.last_launch_data = dict(launch_data)
        return flask.render_template(
            "demo_platform/launch_form.html",
            launch_url=launch_data["launch_url"],
            fields={
                "id_token": launch_data["id_token"],
                "state": launch_data["state"],
                **self.form_extra,
            },
        )
