"""Map LTI role URIs to the three roles Branchwise knows (Core §A.2)."""

from __future__ import annotations

from collections.abc import Iterable

LEARNER = "learner"
INSTRUCTOR = "instructor"
ADMIN = "admin"

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_ADMIN_ROLES = {
    _LIS + "system/person#Administrator",
    _LIS + "system/person#SysAdmin",
    _LIS + "institution/person#Administrator",
}
# Only context (membership) roles make someone a teacher *of this course*: Canvas
# sends institution/person#Instructor for any faculty member, also where they
# are enrolled as a student.
_TEACHING = ("Instructor", "ContentDeveloper", "Administrator")


def map_roles(roles: Iterable[str]) -> str:
    """The most privileged Branchwise role the LTI roles grant in this context."""
    roles = [r for r in roles if isinstance(r, str)]
    if any(r in _ADMIN_ROLES for r in roles):
        return ADMIN
    for role in roles:
        if role in _TEACHING:  # short form, allowed for context roles (Core §A.2.3)
            return INSTRUCTOR
        if role.startswith(_LIS + "membership#") and role.rsplit("#", 1)[1] in _TEACHING:
            return INSTRUCTOR
        if role.startswith(_LIS + "membership/Instructor#"):  # e.g. TeachingAssistant
            return INSTRUCTOR
    return LEARNER
