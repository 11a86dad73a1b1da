"""Demo LMS ("Demo LMS"): an independent LTI 1.3 platform built on ``lti1p3platform``.

Used by ``branchwise demo`` and by end-to-end tests over real HTTP on 127.0.0.1.
"""

from .app import create_platform_app, get_platform
from .config import PlatformSettings, ToolLink
from .harness import RunningServer, bind_socket, serve_in_thread
from .platform import DemoPlatform

__all__ = [
    "DemoPlatform",
    "PlatformSettings",
    "RunningServer",
    "ToolLink",
    "bind_socket",
    "create_platform_app",
    "get_platform",
    "serve_in_thread",
]
