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
from lti_tool.models.delivery import DeliverySlot, PlatformBudget
from lti_tool.models.drafts import ModuleDraft
from lti_tool.models.grades import AdminUser, ScoreSubmission
from lti_tool.models.keys import ToolKey
from lti_tool.models.launches import LaunchSession, LoginState, UsedNonce
from lti_tool.models.people import Context, ResourceLink, User
from lti_tool.models.platforms import Deployment, Platform
from lti_tool.models.registration_links import RegistrationLink

__all__ = [
    "AdminUser", "AnswerEvent", "Attempt", "CustomModule", "FittedSkillParams", "ItemStats",
    "ModuleDraft", "ModuleVersion", "PageEvent", "ScoreSubmission",
    "DeliverySlot", "PlatformBudget",
    "Context", "Deployment", "LaunchSession", "LoginState", "Platform", "ResourceLink",
    "RegistrationLink", "ToolKey", "UsedNonce", "User",
]
