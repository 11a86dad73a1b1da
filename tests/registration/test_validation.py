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


# ---- a platform configuration (or an attacker's) with odd values anywhere (Hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ODD = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                st.just("https://moodle.example.edu/" + "x" * 2000),
                st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=3),
                st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2))
KEYS = [*GOOD, "authorization_server", "messages_supported", "product_family_code", "version"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(odd=st.lists(st.tuples(st.sampled_from(KEYS), ODD), min_size=1, max_size=4))
def test_an_odd_configuration_is_read_or_refused_in_words(odd):
    data = copy.deepcopy(GOOD)
    for key, value in odd:
        if key in ("messages_supported", "product_family_code", "version"):
            lti = data[PLATFORM_CONFIGURATION]
            data[PLATFORM_CONFIGURATION] = {**(lti if isinstance(lti, dict) else {}), key: value}
        else:
            data[key] = value
    try:
        config = check(data)
    except DynamicRegistrationError as exc:
        assert exc.code == "config_invalid" and str(exc).strip()
        return
    # What is read fits the platforms table.
    assert len(config.issuer) <= 255
    for url in (config.authorization_endpoint, config.token_endpoint, config.jwks_uri):
        assert isinstance(url, str) and len(url) <= 1024
    assert all(isinstance(m, str) for m in config.messages_supported)


def test_a_too_long_issuer_is_refused_by_name():
    with pytest.raises(DynamicRegistrationError, match="issuer is longer than 255"):
        check({**GOOD, "issuer": "https://moodle.example.edu/" + "i" * 300})


@pytest.mark.parametrize(("answer", "fragment"), [
    ({"client_id": "c" * 300}, "client_id is longer than 255"),
    ({"client_id": True}, "has no client_id"),
    ({"client_id": "ok", "https://purl.imsglobal.org/spec/lti-tool-configuration":
      {"deployment_id": "d" * 300}}, "deployment_id is longer than 255"),
])
def test_a_registration_answer_that_does_not_fit_is_refused_in_words(answer, fragment):
    """The platform's answer over real HTTP: a client_id or deployment_id longer than the
    platforms table keeps was a database error (a 500 on PostgreSQL) when it was stored."""
    import flask
    import requests

    from lti_tool.demo_platform.harness import serve_in_thread
    from lti_tool.registration.dynamic import post_registration

    lms = flask.Flask("odd-lms")
    lms.add_url_rule("/register", "register", lambda: (flask.jsonify(answer), 201),
                     methods=["POST"])
    server = serve_in_thread(lms)
    try:
        config = PlatformConfiguration(
            issuer="https://moodle.example.edu", authorization_endpoint=GOOD["jwks_uri"],
            token_endpoint=GOOD["token_endpoint"], jwks_uri=GOOD["jwks_uri"],
            registration_endpoint=server.url + "/register")
        with pytest.raises(DynamicRegistrationError, match=fragment):
            post_registration(config, None, {}, http=requests.Session())
    finally:
        server.stop()
