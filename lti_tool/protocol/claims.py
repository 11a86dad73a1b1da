"""Claim and scope URIs, each in one place (LTI Core 1.3 §5, AGS 2.0, NRPS 2.0, DL 2.0)."""

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"  # Core §5.3.1
VERSION = LTI + "version"  # Core §5.3.2
DEPLOYMENT_ID = LTI + "deployment_id"  # Core §5.3.3
TARGET_LINK_URI = LTI + "target_link_uri"  # Core §5.3.4
RESOURCE_LINK = LTI + "resource_link"  # Core §5.3.5
ROLES = LTI + "roles"  # Core §5.3.7
CONTEXT = LTI + "context"  # Core §5.4.1
LAUNCH_PRESENTATION = LTI + "launch_presentation"  # Core §5.4.4
CUSTOM = LTI + "custom"  # Core §5.4.6
TOOL_PLATFORM = LTI + "tool_platform"
LIS = LTI + "lis"  # Core §5.4.5 (the SIS identifiers)

AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"  # AGS §3.1
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"  # NRPS §3.6.1
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"  # DL §4.4.1
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"  # DL §4.5 (shown by the LMS)

# Dynamic Registration 1.0 §3.4 (the platform's OpenID configuration) and §3.5 (ours).
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
# LTI Assignment and Grade Services 2.0 §3.6 / Submission Review 1.0: the LMS's "view
# submission" (Moodle's grade analysis); sent to the resource link's launch URL.
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
FOR_USER = "https://purl.imsglobal.org/spec/lti/claim/for_user"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"

AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = AGS_SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY = AGS_SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY = AGS_SCOPE + "result.readonly"
SCOPE_SCORE = AGS_SCOPE + "score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = (
    SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE, SCOPE_NRPS,
)

# Required on every launch message (Core §5.3, Security Framework §5.1.2).
REQUIRED_LAUNCH_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "nonce", MESSAGE_TYPE, VERSION,
                          DEPLOYMENT_ID, ROLES)
