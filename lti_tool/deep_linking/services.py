"""Deep Linking 2.0 (LTI-DL 2.0): who may pick, what the picker offers, the signed response.

Plain functions over a LaunchSession and the module library; no Flask request. The
response is built with PyJWT rather than PyLTI1p3's ``DeepLink`` because the library
drops ``lineItem`` fields we need to control, never emits ``msg``, and signs with a
registration key, whereas ours is the tool-wide rotating key in ``lti_tool.keys``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from flask_babel import gettext, ngettext

from adaptive.modules import Module
from lti_tool.ags.review import submission_review
from lti_tool.keys import services as keys
from lti_tool.link_settings import DEFAULT_MAX_SCORE, PickedSettings, parse_picked
from lti_tool.models import LaunchSession
from lti_tool.modules import library
from lti_tool.protocol import claims
from lti_tool.protocol.errors import LaunchError, NotAllowed

RESOURCE_LINK_TYPE = "ltiResourceLink"
LINE_ITEM_TAG = "mastery"  # lets the tool find its own column among an LMS's line items
RESPONSE_LIFETIME = 600  # seconds: the browser posts the form immediately
PICKER_ROLES = frozenset({"instructor", "admin"})
DL_MSG = claims.DL_MSG


class NotInstructor(NotAllowed):
    """A learner (or anyone without a teaching role) reached an instructor-only page."""

    status = 403
    code = "not_instructor"
    title = "Only instructors can choose activities"


class NotDeepLinking(LaunchError):
    status = 400
    code = "not_deep_linking"
    title = "This page needs a deep-linking launch"


class CannotRespond(LaunchError):
    status = 400
    code = "deep_link_unsupported"
    title = "The LMS cannot receive this activity"


@dataclass(frozen=True)
class DeepLinkRequest:
    """What the platform asked for (``deep_linking_settings``, DL §4.4.1) and who asked."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    data: Any  # opaque; echoed back verbatim when present
    title: str
    issuer: str
    client_id: str
    deployment_id: str


def require_picker(session: LaunchSession) -> DeepLinkRequest:
    """The deep-linking request of ``session`` if its user may pick activities.

    Platforms usually offer deep linking to teachers only, but nothing stops one from
    sending it for a learner; the role check is ours to make (403 otherwise).
    """
    if session.role not in PICKER_ROLES:
        raise NotInstructor("Adding an activity to the course is for instructors. Ask your "
                         "instructor if you expected to see an activity here.",
                         log=f"role={session.role} user={session.user_pk}")
    if session.message_type != claims.DEEP_LINKING_REQUEST:
        raise NotDeepLinking("Open this page from your LMS's 'add external tool' flow.")
    request = deep_link_request(session.claims)
    if RESOURCE_LINK_TYPE not in request.accept_types:
        raise CannotRespond("The LMS does not accept LTI resource links from this place.",
                            log=f"accept_types={request.accept_types}")
    return request


def deep_link_request(body: Mapping[str, Any]) -> DeepLinkRequest:
    """Read a deep-linking request out of validated id_token claims."""
    dl = body.get(claims.DL_SETTINGS)
    if not isinstance(dl, Mapping) or not dl.get("deep_link_return_url"):
        raise NotDeepLinking("The LMS sent no deep-linking settings.")
    if not str(dl["deep_link_return_url"]).lower().startswith(("https://", "http://")):
        # It becomes a form action in our page: never let it be a javascript: URL.
        raise CannotRespond("The LMS sent an unusable deep_link_return_url.",
                            log=f"return_url={dl['deep_link_return_url']!r}")
    aud = body["aud"][0] if isinstance(body["aud"], list) else body["aud"]
    accept = dl.get("accept_types") or []
    return DeepLinkRequest(
        return_url=str(dl["deep_link_return_url"]),
        accept_types=tuple(str(t) for t in accept) if isinstance(accept, list) else (),
        accept_multiple=dl.get("accept_multiple") is True,
        data=dl.get("data"),
        title=str(dl.get("title") or ""),
        issuer=str(body["iss"]),
        client_id=str(aud),
        deployment_id=str(body[claims.DEPLOYMENT_ID]),
    )


def default_settings(module: Module) -> PickedSettings:
    """What the picker pre-fills: the module's authoring defaults, every graded skill."""
    graded = tuple(s.id for s in module.skills if s.graded) or tuple(s.id for s in module.skills)
    return PickedSettings(
        mastery_threshold=module.settings.mastery_threshold,
        practice_cap=module.settings.practice_cap,
        graded_skills=graded,
        max_score=DEFAULT_MAX_SCORE,
    )


@dataclass(frozen=True)
class Pick:
    """One module the teacher chose, with its settings."""

    module_id: str
    title: str
    description: str
    settings: PickedSettings
    language: str = "en"  # of ``title`` and ``description`` (the module's own language)


def content_item(pick: Pick, launch_url: str) -> dict[str, Any]:
    """An ``ltiResourceLink`` content item (DL §3.1) with a line item (DL §3.1.3).

    The url has no query string: platforms match the OIDC redirect_uri exactly, and the
    module travels in ``custom`` instead, which the LMS sends back on every launch.
    """
    return {
        "type": RESOURCE_LINK_TYPE,
        "title": pick.title,
        "text": pick.description,
        "url": launch_url,
        "custom": pick.settings.to_custom(pick.module_id),
        "lineItem": {
            # 100 rather than 100.0: some gradebooks show the number as sent.
            "scoreMaximum": (int(pick.settings.max_score)
                             if pick.settings.max_score.is_integer() else pick.settings.max_score),
            "label": pick.title,
            "resourceId": pick.module_id,
            "tag": LINE_ITEM_TAG,
            # The LMS's "view submission" opens the learner's attempt report.
            "submissionReview": submission_review(launch_url),
        },
    }


def response_claims(request: DeepLinkRequest, items: Iterable[Mapping[str, Any]], *,
                    now: int | None = None, message: str | None = None) -> dict[str, Any]:
    """The body of an ``LtiDeepLinkingResponse`` (DL §4.2): the tool is the issuer,
    the platform the audience, and ``data`` goes back exactly as received."""
    now = int(time.time()) if now is None else now
    body: dict[str, Any] = {
        "iss": request.client_id,
        "aud": request.issuer,
        "iat": now,
        "exp": now + RESPONSE_LIFETIME,
        # A fresh nonce per response lets the platform refuse a replayed form.
        "nonce": secrets.token_urlsafe(24),
        claims.DEPLOYMENT_ID: request.deployment_id,
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
        claims.VERSION: claims.LTI_VERSION,
        claims.DL_CONTENT_ITEMS: list(items),
    }
    if request.data is not None:
        body[claims.DL_DATA] = request.data
    if message:
        body[DL_MSG] = message
    return body


def sign(body: Mapping[str, Any]) -> str:
    """RS256 with the tool's active key; ``kid`` lets the platform pick it from our JWKS."""
    key = keys.signing_key()
    return jwt.encode(dict(body), key.private_pem, algorithm="RS256", headers={"kid": key.kid})


@dataclass(frozen=True)
class DeepLinkResponse:
    return_url: str
    jwt: str
    count: int


def respond(request: DeepLinkRequest, picks: list[Pick], launch_url: str) -> DeepLinkResponse:
    """Sign the response carrying ``picks`` (none: the teacher cancelled)."""
    if len(picks) > 1 and not request.accept_multiple:
        raise CannotRespond("The LMS accepts one activity at a time here; choose one module.")
    items = [content_item(p, launch_url) for p in picks]
    if not picks:
        message = None
    else:
        # The LMS may show it to the teacher (DL §4.2.1 msg): in the teacher's language.
        message = ngettext("Added %(num)d Branchwise activity.",
                           "Added %(num)d Branchwise activities.", len(picks))
    body = response_claims(request, items, message=message)
    return DeepLinkResponse(return_url=request.return_url, jwt=sign(body), count=len(picks))


# -- what the picker shows ----------------------------------------------------------------


def library_modules(locale: str | None = None) -> list[library.ModuleSummary]:
    """Every module a teacher can choose (samples, then teachers' own), in the language of
    the launch ``locale`` where a module is translated into it."""
    return library.list_modules(locale)


def pick_for(module_id: str, form: Mapping[str, Any]) -> tuple[Pick | None, list[str]]:
    """Validate one chosen module and its settings from the picker form fields."""
    try:
        module = library.get_module(module_id)
    except library.UnknownModule:
        return None, [gettext("There is no module '%(module)s'.", module=module_id)]
    settings, problems = parse_picked(form, [s.id for s in module.skills],
                                      [g.id for g in module.goals])
    if settings is None:
        return None, problems
    return Pick(module.id, module.title, module.description, settings, module.language), []


@dataclass(frozen=True)
class SkillPreview:
    id: str
    title: str
    description: str
    prerequisites: tuple[str, ...]
    graded: bool
    n_items: int
    lesson_title: str | None
    lesson_excerpt: str | None


@dataclass(frozen=True)
class ItemPreview:
    id: str
    skill_title: str
    type: str
    prompt: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ModulePreview:
    id: str
    title: str
    description: str
    estimated_minutes: int | None
    skills: tuple[SkillPreview, ...]
    items: tuple[ItemPreview, ...]
    n_items: int
    language: str = "en"  # the language of the module's texts above


def _excerpt(markdown: str, limit: int = 600) -> str:
    """The first paragraphs of a lesson, cut at a paragraph break so math stays whole."""
    paragraphs = [p for p in markdown.strip().split("\n\n") if p.strip()]
    out: list[str] = []
    for para in paragraphs:
        if out and sum(len(p) for p in out) + len(para) > limit:
            break
        out.append(para)
    return "\n\n".join(out)


def preview(module_id: str, items_per_skill: int = 1,
            locale: str | None = None) -> ModulePreview:
    """What a learner would meet: skills, lesson openings and a sample of items, in the
    language a learner launching with ``locale`` would meet them (``learner_module``).

    Read-only: nothing is recorded, no attempt starts, no answers are revealed.
    """
    module = library.learner_module(library.get_module(module_id), locale)
    pages = {p.id: p for p in module.pages}
    titles = {s.id: s.title for s in module.skills}
    skills = []
    samples: list[ItemPreview] = []
    for skill in module.skills:
        lesson = pages.get(skill.lesson) if skill.lesson else None
        skill_items = module.items_for(skill.id)
        skills.append(SkillPreview(
            id=skill.id, title=skill.title, description=skill.description,
            prerequisites=tuple(titles.get(p, p) for p in skill.prerequisites),
            graded=skill.graded, n_items=len(skill_items),
            lesson_title=lesson.title if lesson else None,
            lesson_excerpt=_excerpt(lesson.body) if lesson else None,
        ))
        for item in skill_items[:items_per_skill]:
            samples.append(ItemPreview(
                id=item.id, skill_title=skill.title, type=str(item.type), prompt=item.prompt,
                choices=tuple(c.text for c in item.choices),
            ))
    return ModulePreview(
        id=module.id, title=module.title, description=module.description,
        estimated_minutes=module.estimated_minutes, skills=tuple(skills),
        items=tuple(samples), n_items=len(module.items), language=module.language,
    )
