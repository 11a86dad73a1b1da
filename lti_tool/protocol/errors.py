"""The tool's error hierarchy. Each error carries a stable code, an HTTP status and
a sentence a learner or admin can act on; ``lti_tool.errors`` renders it (page or
JSON), logs record the code. Plain Python: the protocol core raises these too."""

from __future__ import annotations


class BranchwiseError(Exception):
    """The root: a refusal the user is told about (never a bug: those are 500s)."""

    status = 400
    code = "bad_request"
    title = "This request could not be accepted"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None,
                 log: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.log = log  # extra context for the log line only (never shown)


class InputError(BranchwiseError, ValueError):
    """What a person typed or sent cannot be used (an admin's registration form, a
    teacher's edit, a learner's answer form). The feature's view usually catches it and
    shows the sentence next to the form; one that escapes is a styled 400, not a 500.
    Also a ``ValueError``: callers that validated input with ``except ValueError`` keep
    working."""

    status = 400
    code = "bad_input"
    title = "This could not be accepted"


class NotFoundError(BranchwiseError, LookupError):
    """What the URL names is not there, or not visible to this course (a 404: another
    course's draft is as absent as a missing one). Also a ``LookupError``."""

    status = 404
    code = "not_found"
    title = "This page does not exist"


class UpstreamUnavailable(BranchwiseError):
    """The LMS did not give what a page needs (the roster, a token); nothing was lost,
    the page can be opened again later."""

    status = 502
    code = "lms_unavailable"
    title = "The LMS did not answer"


class LaunchError(BranchwiseError):
    """Why a launch (or a page opened with a launch's token) was refused."""

    status = 400
    code = "bad_launch"
    title = "This launch could not be accepted"


class NotAllowed(BranchwiseError):
    """The caller's role (or session) does not allow this page."""

    status = 403
    code = "not_allowed"
    title = "You cannot open this page"


class LoginError(LaunchError):
    code = "bad_login"
    title = "The LMS login request could not be accepted"


class InvalidToken(LaunchError):
    status = 401
    code = "invalid_token"
    title = "The LMS's launch message could not be verified"


class MalformedClaims(LaunchError):
    """A signed launch whose claims do not have the shapes LTI gives them (launch.claim_shapes)."""

    status = 400
    code = "bad_claim"
    title = "The LMS's launch message could not be read"


class UnknownPlatform(LaunchError):
    status = 401
    code = "unknown_platform"
    title = "This LMS is not registered with Branchwise"


class StateMismatch(LaunchError):
    status = 401
    code = "state_mismatch"
    title = "This launch did not start in this browser"


class Replay(LaunchError):
    status = 401
    code = "replayed_nonce"
    title = "This launch was already used"


class DatabaseUnavailable(LaunchError):
    status = 503
    code = "database_unavailable"
    title = "Branchwise cannot reach its database right now"


class SessionExpired(LaunchError):
    status = 401
    code = "session_expired"
    title = "Your session has ended"
