"""The common target of every importer: a module draft, what was left out, and its problems.

Each format parser reads its source into ``DraftItem``/``DraftPage`` values with a
*category* (a Moodle/GIFT category, a QTI section or test title) and optional tags;
``Draft.finish`` turns them into the module file format:

* one skill per category, titled with the whole category path so that a teacher
  sees which ones to merge (ids are slugs of the path, made unique);
* an item's first skill is its category's; a tag that names another imported
  skill is added as a secondary skill, any other tag is reported as unmapped;
* the first ``DIAGNOSTIC_PER_SKILL`` items of each skill are marked diagnostic
  so that the draft passes the validator's pre-test check;
* the draft is dumped as YAML and run through the module validator, so the
  teacher sees the same problems ``branchwise module validate`` would print.

Nothing here reads files: parsers take bytes or text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from adaptive.modules.loader import parse_module
from adaptive.modules.problems import Problem

__all__ = [
    "DIAGNOSTIC_PER_SKILL",
    "Draft",
    "DraftItem",
    "DraftPage",
    "ImportError_",
    "ImportResult",
    "Unmapped",
    "slug",
]

DIAGNOSTIC_PER_SKILL = 2
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ITEM_ORDER = ("id", "type", "skills", "diagnostic", "difficulty", "prompt", "choices",
               "answer_groups", "default_feedback", "hints", "solution", "shuffle")
MAX_SOURCE_ID = 40  # longer source ids (hashes) are replaced by short readable ones


class ImportError_(ValueError):  # noqa: N801 - the builtin ImportError means something else
    """The source cannot be read at all (not a known format, broken XML, unsafe archive)."""


@dataclass(frozen=True)
class Unmapped:
    """Something in the source the draft does not carry: where it was, and what."""

    location: str  # e.g. "question 4 'Match the capitals'" or "item_00006.xml"
    what: str

    def __str__(self) -> str:
        return f"{self.location}: {self.what}"


@dataclass
class DraftItem:
    """One question in the module file format (``data``), before skills are assigned."""

    data: dict[str, Any]  # type, prompt, choices, answer_groups, hints, ... (no id/skills)
    category: str | None = None
    tags: tuple[str, ...] = ()
    source_id: str | None = None
    location: str = ""


@dataclass
class DraftPage:
    """A text-only "question" (GIFT/Moodle description): a lesson page of its category."""

    title: str
    body: str
    category: str | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """The module draft as data and YAML, plus everything the teacher should look at."""

    source_format: str  # "gift" | "moodle-xml" | "qti-1.2" | "qti-2.1" | "qti-3.0"
    data: dict[str, Any]
    yaml_text: str
    unmapped: tuple[Unmapped, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the draft passes validation (warnings allowed)."""
        return not any(p.is_error for p in self.problems)


def slug(text: str, fallback: str = "x") -> str:
    """A lower-case id from free text: ``"Top / Adding fractions"`` -> ``top-adding-fractions``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:48].strip("-") or fallback


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line text (prompts, pages) as block scalars: what a teacher would write.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(data: dict[str, Any]) -> str:
    """The module as YAML in the order of ``docs/module-format.md``."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class Draft:
    """Collects items, pages and unmapped things while a parser walks its source."""

    source_format: str
    title: str
    default_category: str | None = None
    description: str = ""
    module_id: str | None = None
    source_title: str | None = None  # the quiz/test/pool's own title, preferred over ``title``
    items: list[DraftItem] = field(default_factory=list)
    pages: list[DraftPage] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    skill_ids: dict[str, str] = field(default_factory=dict)  # category -> preferred skill id

    def skip(self, location: str, what: str) -> None:
        self.unmapped.append(Unmapped(location, what))

    def add_item(self, item: DraftItem) -> None:
        self.items.append(item)

    def add_page(self, page: DraftPage) -> None:
        self.pages.append(page)

    def _category(self, category: str | None) -> str:
        return (category or self.default_category or self.title or "Imported").strip()

    def finish(self, filename: str = "<import>") -> ImportResult:
        """Assign ids and skills, dump YAML and validate it."""
        skills: dict[str, dict[str, Any]] = {}
        taken_skills: set[str] = set()

        def skill_for(category: str) -> str:
            if category not in skills:
                preferred = self.skill_ids.get(category)
                base = preferred if preferred and _ID.match(preferred) else slug(category, "skill")
                sid = _unique(base, taken_skills)
                skills[category] = {"id": sid, "title": category[:200] or sid,
                                    "prerequisites": []}
            skill_id: str = skills[category]["id"]
            return skill_id

        for it in self.items:
            skill_for(self._category(it.category))
        by_title = {cat.casefold(): s["id"] for cat, s in skills.items()}
        by_id = {s["id"] for s in skills.values()}

        taken_items: set[str] = set()
        items_out: list[dict[str, Any]] = []
        per_skill: dict[str, int] = {}
        for n, it in enumerate(self.items, start=1):
            primary = skill_for(self._category(it.category))
            secondary: list[str] = []
            for tag in it.tags:
                sid = by_title.get(tag.casefold()) or (tag if tag in by_id else None)
                if sid and sid != primary and sid not in secondary:
                    secondary.append(sid)
                elif not sid:
                    self.skip(it.location or f"question {n}",
                              f"tag '{tag}' is not a category of this file; not made a skill")
            sid_src = it.source_id or ""
            base = sid_src if (_ID.match(sid_src) and len(sid_src) <= MAX_SOURCE_ID) else f"q{n}"
            per_skill[primary] = per_skill.get(primary, 0) + 1
            fields = {"id": _unique(base, taken_items), "skills": [primary, *secondary],
                      "diagnostic": per_skill[primary] <= DIAGNOSTIC_PER_SKILL, **it.data}
            extra = [k for k in fields if k not in _ITEM_ORDER]
            items_out.append({k: fields[k] for k in (*_ITEM_ORDER, *extra) if k in fields})

        pages_out: list[dict[str, Any]] = []
        taken_pages: set[str] = set(taken_items)
        lessons: dict[str, str] = {}
        for n, pg in enumerate(self.pages, start=1):
            category = self._category(pg.category)
            skill = skills.get(category, {}).get("id")
            src = pg.source_id or ""
            base = src if (_ID.match(src) and len(src) <= MAX_SOURCE_ID) else f"page{n}"
            pid = _unique(base, taken_pages)
            page: dict[str, Any] = {"id": pid, "title": pg.title or f"Page {n}"}
            if skill:
                page["skill"] = skill
                lessons.setdefault(skill, pid)
            page["kind"] = "lesson"
            page["body"] = pg.body
            pages_out.append(page)
        for s in skills.values():
            if s["id"] in lessons:
                s["lesson"] = lessons[s["id"]]

        title = (self.source_title or self.title or "Imported questions").strip()
        module_id = self.module_id if self.module_id and re.fullmatch(
            r"[a-z0-9][a-z0-9_-]*", self.module_id) else slug(title, "imported")
        data: dict[str, Any] = {"schema_version": 1, "id": module_id, "title": title[:200]}
        if self.description:
            data["description"] = self.description
        data["language"] = "en"
        data["metadata"] = {"imported_from": self.source_format}
        data["skills"] = list(skills.values())
        data["pages"] = pages_out
        data["items"] = items_out
        text = dump_yaml(data)
        _, problems = parse_module(text, filename)
        return ImportResult(self.source_format, data, text, tuple(self.unmapped),
                            tuple(problems))
