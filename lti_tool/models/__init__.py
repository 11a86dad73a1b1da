"""Database models. Import from here; each file holds one area."""

from lti_tool.models.activity import (
    AnswerEvent,
    Attempt,
    CustomModule,
    FittedSkillParams,
    ItemStats,
    ModuleVersion,
    PageEvent,
)
from lti_tool.models.grades import AdminUser, ScoreSubmission
from lti_tool.models.keys import ToolKey
from lti_tool.models.launches import LaunchSession, LoginState, UsedNonce
from lti_tool.models.people import Context, ResourceLink, User
from lti_tool.models.platforms import Deployment, Platform

__all__ = [
    "AdminUser", "AnswerEvent", "Attempt", "CustomModule", "FittedSkillParams", "ItemStats",
    "ModuleVersion", "PageEvent", "ScoreSubmission",
    "Context", "Deployment", "LaunchSession", "LoginState", "Platform", "ResourceLink",
    "ToolKey", "UsedNonce", "User",
]
