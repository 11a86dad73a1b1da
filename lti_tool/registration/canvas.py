"""The Canvas developer-key JSON (Admin > Developer Keys > + LTI Key > Enter URL).

Format: Canvas "LTI 1.3 Developer Key configuration" (developerdocs.instructure.com,
lti_dev_key_config). Canvas reads it once when the admin saves the key; the
redirect URIs are typed into the key form separately (docs/lms/canvas.md).
"""

from __future__ import annotations

from typing import Any

from lti_tool.registration.dynamic import TOOL_DESCRIPTION, TOOL_NAME, TOOL_SCOPES
from lti_tool.tool_urls import tool_urls

#: Canvas substitution variables (Canvas "Variable Substitutions" docs).
CANVAS_CUSTOM_FIELDS = {
    "canvas_user_id": "$Canvas.user.id",
    "canvas_course_id": "$Canvas.course.id",
    "context_title": "$Context.title",
    "resource_link_title": "$ResourceLink.title",
}
SELECTION_SIZE = {"selection_width": 900, "selection_height": 640}


def canvas_developer_key_config(base_url: str) -> dict[str, Any]:
    """The whole JSON document Canvas reads from ``/lti/canvas.json``."""
    urls = tool_urls(base_url)
    icon = f"{urls['base_url']}/static/img/branchwise-logo.svg"

    def deep_link(placement: str) -> dict[str, Any]:
        # Teachers add an activity by picking a module: a deep-linking request.
        return {"placement": placement, "text": TOOL_NAME, "icon_url": icon,
                "message_type": "LtiDeepLinkingRequest",
                "target_link_uri": urls["deep_link_url"], **SELECTION_SIZE}

    placements = [
        deep_link("assignment_selection"),
        deep_link("link_selection"),
        {
            "placement": "course_navigation",
            "text": TOOL_NAME,
            "icon_url": icon,
            "message_type": "LtiResourceLinkRequest",
            "target_link_uri": urls["launch_url"],
            # Teachers (course admins) only, and off until a course turns it on.
            "visibility": "admins",
            "default": "disabled",
        },
    ]
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls["oidc_login_url"],
        "target_link_uri": urls["launch_url"],
        "scopes": list(TOOL_SCOPES),
        "extensions": [{
            "domain": urls["domain"],
            "tool_id": "branchwise",
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "settings": {"text": TOOL_NAME, "icon_url": icon, "placements": placements},
        }],
        "public_jwk_url": urls["jwks_url"],
        "custom_fields": dict(CANVAS_CUSTOM_FIELDS),
    }
