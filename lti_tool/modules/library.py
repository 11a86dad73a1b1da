"""Find and load adaptive modules by id, with fitted parameters.

Parsed modules are cached per process keyed by (id, version): parsing YAML on
every answer would dominate the answer step, and a version in the key means a
teacher's edit (new ``updated_at``) is picked up by every worker without any
cross-process invalidation.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

from cachetools import TTLCache
from sqlalchemy import func, select, update

from adaptive.modules import BKTParams, Module
from adaptive.modules.loader import parse_module
from adaptive.modules.problems import ModuleError
from adaptive.modules.translations import languages, localise, pick_language
from adaptive.samples import sample_ids, sample_text, sample_translations
from lti_tool.extensions import db
from lti_tool.models import (
    AnswerEvent,
    Attempt,
    CustomModule,
    FittedSkillParams,
    ModuleVersion,
    ResourceLink,
)
from lti_tool.protocol.errors import NotFoundError


@dataclass(frozen=True)
class ModuleSummary:
    id: str
    title: str
    description: str
    skills: tuple[tuple[str, str], ...]  # (id, title)
    n_items: int
    estimated_minutes: int | None
    source: str  # "sample" | "custom"
    goals: tuple[tuple[str, str], ...] = ()  # (id, title) of the module's goals
    language: str = "en"  # the language of these texts (a translation's, via ``locale``)


class UnknownModule(NotFoundError):
    """No module (or no version of it) by that id."""

    code = "unknown_module"


# Per-process memo of the two database look-ups done on every answer (which version
# of a module, which fitted parameters). A few seconds of staleness is harmless: a
# teacher's edit or a new fit reaches every worker within LOOKUP_TTL seconds, and
# no cross-process invalidation is needed. Tests call ``forget_lookups()``.
LOOKUP_TTL = 5.0
# cachetools' TTLCache evicts on access, so every read and write holds the lock.
_lookups: TTLCache[tuple[str, str], object] = TTLCache(maxsize=4096, ttl=LOOKUP_TTL)
_lookups_lock = threading.Lock()
T = TypeVar("T")
_MISSING = object()


def _memo(kind: str, key: str, load: Callable[[], T]) -> T:
    with _lookups_lock:
        hit = _lookups.get((kind, key), _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    value = load()  # outside the lock: a database read
    with _lookups_lock:
        _lookups[(kind, key)] = value
    return value


def forget_lookups() -> None:
    """Drop the memo (after writing modules or fitted parameters in this process)."""
    with _lookups_lock:
        _lookups.clear()


@lru_cache(maxsize=256)
def _parse(module_id: str, version: str, text: str,
           translations: tuple[tuple[str, str], ...] = ()) -> Module:
    # ``translations``: a sample's sibling files ((name, text) pairs, hashable for the cache).
    module, problems = parse_module(text, f"{module_id}.yaml", dict(translations))
    if module is None:
        raise ModuleError(problems)
    return module


#: Separates a module id from a version in a module reference ("fractions-7@3f2a9c1b04de");
#: module ids cannot contain it (module.schema.json), so a reference is never an id.
VERSION_SEP = "@"


def content_version(text: str) -> str:
    """A module version: the first 12 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def split_ref(ref: str) -> tuple[str, str | None]:
    """("id", "version") of a reference "id@version"; ("id", None) for a bare id."""
    module_id, sep, version = ref.partition(VERSION_SEP)
    return module_id, (version or None) if sep else None


def module_ref(module_id: str, version: str) -> str:
    """The reference links and attempts store to keep one version of a module."""
    return f"{module_id}{VERSION_SEP}{version}"


def get_module(module_id: str) -> Module:
    """The module with this id (a teacher's module of the same id wins over a sample).

    ``module_id`` may be a reference "id@version" (a link made before the owner edited the
    module): that version is returned, with the reference as its ``id``, so attempts,
    answers and fits made from it keep naming it.
    """
    return _memo("module", module_id, lambda: _load_module(module_id))


def learner_module(module: Module, locale: str | None) -> Module:
    """``module`` in the language of a launch's locale (``es-MX`` -> its ``es`` translation),
    each text falling back to the module's default language; same ids, rules and numbers,
    so attempts, answers and analytics are shared by every language."""
    if not module.translations:
        return module
    return localise(module, pick_language(locale, languages(module), module.language))


def _load_module(ref: str) -> Module:
    module_id, version = split_ref(ref)
    row = db.session.scalars(
        select(CustomModule).where(CustomModule.module_id == module_id)
    ).one_or_none()
    if version is not None:
        frozen = db.session.scalars(select(ModuleVersion).where(
            ModuleVersion.module_id == module_id, ModuleVersion.version == version)
        ).one_or_none()
        if frozen is not None:
            text = frozen.source
        elif row is not None and content_version(row.source) == version:
            text = row.source
        else:
            raise UnknownModule(f"no version {version!r} of module {module_id!r}")
        return replace(_parse(module_id, version, text), id=ref)
    if row is not None:
        return _parse(module_id, row.updated_at.isoformat(), row.source)
    if module_id in sample_ids():
        return _parse(module_id, "sample", sample_text(module_id),
                      tuple(sample_translations(module_id).items()))
    raise UnknownModule(f"no module {module_id!r}")


def warm_samples() -> int:
    """Parse (and validate) every shipped sample once, as ``get_module`` would; returns how
    many. ``branchwise serve`` calls it in gunicorn's master before it forks: parsing a
    sample with its variant checks and translations takes seconds, and without this each
    web worker (and each one started after a crash) paid it on its first learner's
    launch. Pure Python objects, no connection: safe to share across the fork."""
    for module_id in sample_ids():
        _parse(module_id, "sample", sample_text(module_id),
               tuple(sample_translations(module_id).items()))
    return len(sample_ids())


def keep_linked_version(module_id: str, text: str) -> str | None:
    """Before the owner replaces ``text``: every link and attempt still on the bare id
    (they were made with this text) moves to "id@version" of it, and the text is kept.

    Returns the reference, or None when nothing links to the module (the edit is then a
    plain update: no course has seen it). Runs in the caller's transaction.
    """
    version = content_version(text)
    ref = module_ref(module_id, version)
    links = db.session.scalar(select(func.count()).select_from(ResourceLink).where(
        ResourceLink.module_id == module_id)) or 0
    attempts = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.module_id == module_id)) or 0
    if not links and not attempts:
        return None
    exists = db.session.scalars(select(ModuleVersion.id).where(
        ModuleVersion.module_id == module_id, ModuleVersion.version == version)).first()
    if exists is None:
        db.session.add(ModuleVersion(module_id=module_id, version=version, source=text))
    for model in (ResourceLink, Attempt, AnswerEvent):
        db.session.execute(update(model).where(model.module_id == module_id)
                           .values(module_id=ref))
    return ref


def versions_in_use(module_id: str) -> list[str]:
    """Every reference of ``module_id`` links use (the current one as the bare id)."""
    refs = db.session.scalars(select(ResourceLink.module_id).distinct().where(
        (ResourceLink.module_id == module_id)
        | ResourceLink.module_id.like(f"{module_id}{VERSION_SEP}%")))
    return sorted(r for r in refs if r is not None)


def summary(module: Module, source: str) -> ModuleSummary:
    return ModuleSummary(
        id=module.id, title=module.title, description=module.description,
        skills=tuple((s.id, s.title) for s in module.skills), n_items=len(module.items),
        estimated_minutes=module.estimated_minutes, source=source,
        goals=tuple((g.id, g.title) for g in module.goals),
        language=module.language,
    )


def list_modules(locale: str | None = None) -> list[ModuleSummary]:
    """Every module a teacher can choose, samples first; titles, descriptions, skills and
    goals in the language of ``locale`` where the module is translated into it
    (``learner_module``, cached), else in the module's own."""
    out = [summary(learner_module(get_module(mid), locale), "sample") for mid in sample_ids()]
    custom = db.session.scalars(select(CustomModule).order_by(CustomModule.title))
    sample_set = set(sample_ids())
    for row in custom:
        module = learner_module(get_module(row.module_id), locale)
        if row.module_id in sample_set:
            out = [s for s in out if s.id != row.module_id]
        out.append(summary(module, "custom"))
    return out


def fitted_params(module_id: str, context_pk: int | None = None) -> dict[str, BKTParams]:
    """The accepted BKT fits of this module *in this course*, per skill (empty until fitted).

    Fits are scoped to the course (platform + context) whose answers produced them: without
    a course there are none, so one tenant's learners can never change another's engine."""
    if context_pk is None:
        return {}
    return _memo("fitted", f"{context_pk}:{module_id}",
                 lambda: _load_fitted(module_id, context_pk))


def fitted_params_for_link(module_id: str, resource_link_pk: int | None) -> dict[str, BKTParams]:
    """:func:`fitted_params` of the course the resource link belongs to."""
    if resource_link_pk is None:
        return {}
    context_pk = _memo("link-context", str(resource_link_pk), lambda: db.session.scalar(
        select(ResourceLink.context_pk).where(ResourceLink.id == resource_link_pk)))
    return fitted_params(module_id, context_pk)


def _load_fitted(module_id: str, context_pk: int) -> dict[str, BKTParams]:
    rows = db.session.scalars(
        select(FittedSkillParams).where(FittedSkillParams.module_id == module_id,
                                        FittedSkillParams.context_pk == context_pk,
                                        FittedSkillParams.accepted.is_(True))
    )
    return {r.skill_id: BKTParams(**r.params) for r in rows}


def module_source(module_id: str) -> tuple[str, str]:
    """The module's YAML text and where it comes from ("custom" or "sample")."""
    row = db.session.scalars(
        select(CustomModule).where(CustomModule.module_id == module_id)
    ).one_or_none()
    if row is not None:
        return row.source, "custom"
    if module_id in sample_ids():
        return sample_text(module_id), "sample"
    raise UnknownModule(f"no module {module_id!r}")
