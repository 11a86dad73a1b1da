"""Settings for the demo LMS: where the tool lives and how the platform behaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class ToolLink:
    """The tool's registration as the demo LMS sees it (URLs are the tool's)."""

    client_id: str
    deployment_id: str
    oidc_login_url: str
    launch_url: str
    deep_link_url: str
    jwks_url: str


@dataclass
class PlatformSettings:
    """Demo LMS settings.

    ``issuer`` is the platform's own base URL (``http://127.0.0.1:8001``); every
    platform URL (auth, token, JWKS, AGS, NRPS) is derived from it.
    """

    issuer: str
    tool: ToolLink
    platform_storage: bool = True
    # Platform storage answers after this many ms: a busy LMS page or a slow device.
    storage_reply_delay_ms: int = 0
    # The postMessage subject names it speaks: "both", "new" (lti.*) or "old"
    # (org.imsglobal.lti.*, as D2L); the other names get "unsupported_subject".
    storage_subjects: str = "both"
    # lti_storage_target: "_parent" (the course page answers), or a frame name such as
    # Canvas's "post_message_forwarding" (a hidden platform frame beside the tool answers).
    storage_target: str = "_parent"
    title: str = "Demo LMS"
    key_dir: Path | None = None
    token_lifetime: int = 3600
    id_token_lifetime: int = 300
    # Score endpoint: "spec", "moodle" (whole seconds, 409) or "canvas" (400, 403 throttle);
    # score_rate > 0 limits score POSTs per second (token bucket of score_burst).
    ags_mode: str = "spec"
    score_rate: float = 0.0
    score_burst: int = 0

    @property
    def base_url(self) -> str:
        """The issuer without a trailing slash."""
        return self.issuer.rstrip("/")
