"""One error hierarchy (issue 19 item 3): every error the tool raises to refuse something
a person did is a ``BranchwiseError``, so the one handler answers it by ``Accept`` with
its status, code and sentence, and an input error that escapes its view is a 400, not
a 500."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import lti_tool
from lti_tool.protocol.errors import BranchwiseError, InputError

# Exceptions that are not refusals shown to a person, and why.
NOT_REFUSALS = {
    # A failed call to the LMS inside a background job: retried or recorded on the
    # score row, never shown on a page.
    "lti_tool.ags.client.AgsError",
    # The outbound-call guard's refusals are ``requests`` exceptions on purpose: every
    # caller already handles a failed request; the feature turns it into its own error.
    "lti_tool.outbound.OutboundError",
    "lti_tool.outbound.DeadlineExceeded",
    "lti_tool.outbound.DestinationRefused",
    "lti_tool.outbound.RedirectRefused",
    "lti_tool.outbound.ResponseTooLarge",
    "lti_tool.outbound._RefusedAddress",
    # Control flow inside one request: another request moved the attempt on first.
    "lti_tool.runner.step_write.StepConflict",
    # Start-up, before any request: the process exits with the message.
    "lti_tool.db.MigrationLockTimeout",
    # The demo LMS's own launch error: it is the platform in tests and the demo, not
    # the tool.
    "lti_tool.demo_platform.platform.LaunchError",
}


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(lti_tool.__path__, "lti_tool."):
        if ".db.migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, Exception)
                    and obj.__module__ == info.name):
                found[f"{info.name}.{name}"] = obj
    return found


def test_every_tool_error_is_in_the_one_hierarchy():
    classes = _error_classes()
    assert "lti_tool.admin.services.AdminError" in classes  # the walk found the features
    outside = sorted(name for name, cls in classes.items()
                     if not issubclass(cls, BranchwiseError) and name not in NOT_REFUSALS)
    assert outside == []
    # The allowlist names classes that still exist (a stale entry would hide nothing).
    assert set(classes) >= NOT_REFUSALS


@pytest.mark.parametrize("name", [
    "lti_tool.admin.services.AdminError",
    "lti_tool.registration.services.RegistrationError",
    "lti_tool.registration.links.LinkError",
    "lti_tool.xapi.services.LrsError",
    "lti_tool.assistant.course_models.CourseModelError",
    "lti_tool.dashboard.module_diff.EditError",
    "lti_tool.runner.answers.AnswerFormError",
])
def test_input_errors_are_value_errors_with_their_own_code(name):
    cls = _error_classes()[name]
    assert issubclass(cls, InputError) and issubclass(cls, ValueError)
    error = cls("The sentence for the person.")
    assert str(error) == error.detail == "The sentence for the person."
    assert error.status == 400 and error.code not in ("bad_request", "bad_input")


@pytest.mark.parametrize(("name", "status"), [
    ("lti_tool.dashboard.services.NotFound", 404),
    ("lti_tool.editor.services.NoSuchDraft", 404),
    ("lti_tool.modules.library.UnknownModule", 404),
    ("lti_tool.dashboard.nrps.RosterUnavailable", 502),
])
def test_lookups_and_lms_failures_carry_their_status(name, status):
    cls = _error_classes()[name]
    assert cls("x").status == status
    assert issubclass(cls, LookupError) == (status == 404)  # old ``except LookupError`` holds


def test_dynamic_registration_error_keeps_its_status_and_code():
    from lti_tool.registration.dynamic import DynamicRegistrationError

    error = DynamicRegistrationError("Ask your admin for a new link.", "link_used", 403,
                                     log_detail="token 12")
    assert isinstance(error, BranchwiseError)
    assert (error.status, error.code, error.detail, error.log) == (
        403, "link_used", "Ask your admin for a new link.", "token 12")
    assert error.message == error.detail and error.log_detail == "token 12"


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_input_error_that_escapes_its_view_is_a_400(app, accept):
    from lti_tool.admin.services import AdminError

    @app.get("/escaping-input-error-for-test")
    def escape():
        raise AdminError("That name is taken.")

    resp = app.test_client().get("/escaping-input-error-for-test", headers={"Accept": accept})
    assert resp.status_code == 400
    if accept == "application/json":
        assert resp.get_json() == {"error": 400, "code": "admin_refused",
                                   "message": "That name is taken."}
    else:
        body = resp.get_data(as_text=True)
        assert "That name is taken." in body and "<code>admin_refused</code>" in body


def test_protocol_uris_live_in_claims_only():
    """Claim, scope and message URIs are written once, in ``protocol/claims.py`` (the
    demo LMS is the platform side and keeps its own)."""
    from pathlib import Path

    root = Path(lti_tool.__file__).parent
    repeated = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        # roles.py holds the LIS role vocabulary, the other half of the protocol's names.
        if (rel in ("protocol/claims.py", "protocol/roles.py")
                or rel.startswith(("demo_platform/", "db/migrations/"))):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if "purl.imsglobal.org" in code and not line.lstrip().startswith(('"""', "Spec:")):
                repeated.append(f"{rel}:{n}")
    assert repeated == []
