"""Checks on a platform's OpenID configuration (no network)."""

from __future__ import annotations

import copy

import pytest

from lti_tool.registration.dynamic import (
    PLATFORM_CONFIGURATION,
    TOOL_SCOPES,
    DynamicRegistrationError,
    PlatformConfiguration,
    requested_scopes,
    validate_platform_configuration,
)

CONFIG_URL = "https://moodle.example.edu/mod/lti/openid-configuration.php"
GOOD = {
    "issuer": "https://moodle.example.edu",
    "authorization_endpoint": "https://moodle.example.edu/mod/lti/auth.php",
    "token_endpoint": "https://moodle.example.edu/mod/lti/token.php",
    "jwks_uri": "https://moodle.example.edu/mod/lti/certs.php",
    "registration_endpoint": "https://moodle.example.edu/mod/lti/openid-registration.php",
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "scopes_supported": ["openid", *TOOL_SCOPES],
    PLATFORM_CONFIGURATION: {"product_family_code": "moodle", "version": "4.3",
                             "messages_supported": [{"type": "LtiResourceLinkRequest"}]},
}


def check(data: dict, url: str = CONFIG_URL, dev: bool = False) -> PlatformConfiguration:
    return validate_platform_configuration(data, url, allow_http_loopback=dev)


def test_good_configuration_is_read():
    config = check(GOOD)
    assert config.issuer == "https://moodle.example.edu"
    assert config.product_family_code == "moodle"
    assert config.messages_supported == ("LtiResourceLinkRequest",)
    assert requested_scopes(config) == list(TOOL_SCOPES)


def broken(**changes) -> dict:
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (broken(issuer="http://moodle.example.edu"), "https"),
        (broken(issuer="https://evil.example.com"), "another host"),
        (broken(registration_endpoint=None), "registration_endpoint"),
        (broken(jwks_uri=None), "jwks_uri"),
        (broken(token_endpoint_auth_methods_supported=["client_secret_basic"]),
         "private_key_jwt"),
        (broken(id_token_signing_alg_values_supported=["HS256"]), "RS256"),
        (broken(token_endpoint_auth_signing_alg_values_supported=["ES256"]), "RS256"),
        (broken(**{PLATFORM_CONFIGURATION: None}), "LTI platform configuration"),
    ],
)
def test_bad_configurations_are_refused(data, fragment):
    with pytest.raises(DynamicRegistrationError) as info:
        check(data)
    assert fragment in info.value.message
    assert info.value.status == 400


def test_loopback_http_only_in_development():
    local = {k: (v.replace("https://moodle.example.edu", "http://127.0.0.1:8000")
                 if isinstance(v, str) else v) for k, v in GOOD.items()}
    url = "http://127.0.0.1:8000/.well-known/openid-configuration"
    assert check(local, url, dev=True).issuer == "http://127.0.0.1:8000"
    with pytest.raises(DynamicRegistrationError):
        check(local, url, dev=False)


def test_unsupported_scopes_are_not_requested():
    config = check(broken(scopes_supported=["openid", TOOL_SCOPES[3]]))
    assert requested_scopes(config) == [TOOL_SCOPES[3]]


def test_canvas_cloud_issuer_on_a_school_domain_is_accepted():
    data = {k: (v.replace("moodle.example.edu", "school.instructure.com")
                if isinstance(v, str) else v) for k, v in GOOD.items()}
    data["issuer"] = "https://canvas.instructure.com"
    config = check(data, "https://school.instructure.com/api/lti/security/openid-configuration")
    assert config.issuer == "https://canvas.instructure.com"
