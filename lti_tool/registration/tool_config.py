"""PyLTI1p3 tool configuration read from the database."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti_tool.keys.services import signing_key
from lti_tool.models import Platform
from lti_tool.registration import services


def registration_for(platform: Platform, *, tool_key: bool = True) -> Registration:
    """A PyLTI1p3 Registration carrying the platform's endpoints and our current key
    (``tool_key=False``: without it, for validating a launch, which never signs)."""
    reg = Registration()
    reg.set_issuer(platform.issuer)
    reg.set_client_id(platform.client_id)
    reg.set_auth_login_url(platform.auth_login_url)
    reg.set_auth_token_url(platform.auth_token_url)
    if platform.token_audience:
        reg.set_auth_audience(platform.token_audience)
    reg.set_key_set_url(platform.key_set_url)
    if not tool_key:
        return reg
    key = signing_key()
    reg.set_tool_private_key(key.private_pem)
    reg.set_tool_public_key(key.public_pem)  # without it the client assertion has no kid
    return reg


class DbToolConf(ToolConfAbstract):
    """Always answers "many clients per issuer" so PyLTI1p3 looks up by (iss, client_id):
    Canvas and Blackboard use one issuer for every school.

    ``tool_key=False``: registrations without our signing key (a launch only verifies the
    platform's signature; reading the key was one query per launch)."""

    def __init__(self, *, tool_key: bool = True) -> None:
        super().__init__()
        self._tool_key = tool_key

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any):
        platform = services.find_platform(iss, None)
        return self._registration(platform)

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any):
        platform = services.find_platform(iss, client_id)
        return self._registration(platform)

    def _registration(self, platform: Platform | None) -> Registration | None:
        if platform is None or platform.status != "active":
            return None
        return registration_for(platform, tool_key=self._tool_key)

    def find_deployment(self, iss: str, deployment_id: str):
        platform = services.find_platform(iss, None)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any):
        return self._deployment(services.find_platform(iss, client_id), deployment_id)

    @staticmethod
    def _deployment(platform: Platform | None, deployment_id: str):
        if platform is None:
            return None
        row = services.find_deployment(platform, deployment_id)
        if row is None or row.status != "active":
            return None
        return LtiDeployment().set_deployment_id(row.deployment_id)
