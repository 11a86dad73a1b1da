"""The module's own content cut into passages the assistant may search and cite.

Every passage names where it comes from (``kind`` + ids), so a reply can cite it with a
link that opens it, and so the policy (``policy.visible``) can decide per learner whether
it may be shown: lessons and the glossary always, a hint only once the ladder unlocked
it, a worked solution or an answer's feedback only after the item was answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from adaptive.assistant.text import plain
from adaptive.modules.format import Module
from adaptive.modules.validate import safe_resource_url

__all__ = ["KINDS", "Passage", "passages_of"]

# Lesson or remediation page, a skill's glossary entry, an item's hint, its worked
# solution, the feedback of one answer group (misconception feedback), a skill resource.
KINDS = ("page", "glossary", "hint", "solution", "feedback", "resource")


@dataclass(frozen=True)
class Passage:
    id: str  # stable and unique within the module, e.g. "hint:eq-2:0"
    kind: str  # one of KINDS
    title: str
    text: str  # plain text, what a reply may quote
    skill: str | None = None
    item: str | None = None  # hints, solutions and feedback belong to an item
    index: int = 0  # hint number or answer-group index (0-based)
    context: str = ""  # searched but never quoted (the item's prompt for its hints)
    url: str = ""  # resources: the reading or video it points to

    @property
    def search_text(self) -> str:
        return f"{self.title}\n{self.text}\n{self.context}"


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=64)
def passages_of(module: Module) -> tuple[Passage, ...]:
    """Every passage of ``module`` in a stable order (cached: modules are immutable)."""
    out: list[Passage] = []
    titles = {s.id: s.title for s in module.skills}
    for skill in module.skills:
        body = skill.description or skill.title
        out.append(Passage(f"glossary:{skill.id}", "glossary", skill.title, plain(body),
                           skill=skill.id))
        for n, res in enumerate(getattr(skill, "resources", ()) or ()):
            out.append(Passage(f"resource:{skill.id}:{n}", "resource", res.title,
                               plain(res.description or res.title), skill=skill.id, index=n,
                               url=res.url if safe_resource_url(res.url) else ""))
    for page in module.pages:
        out.append(Passage(f"page:{page.id}", "page", page.title, plain(page.body),
                           skill=page.skill))
    for item in module.items:
        skill = item.primary_skill
        prompt = plain(item.prompt)
        label = titles.get(skill, skill)
        for n, hint in enumerate(item.hints):
            out.append(Passage(f"hint:{item.id}:{n}", "hint", f"Hint {n + 1} · {label}",
                               plain(hint), skill=skill, item=item.id, index=n,
                               context=prompt))
        if item.solution:
            out.append(Passage(f"solution:{item.id}", "solution",
                               f"Worked solution · {_short(prompt)}", plain(item.solution),
                               skill=skill, item=item.id, context=prompt))
        for g, group in enumerate(item.answer_groups):
            if group.feedback:
                out.append(Passage(f"feedback:{item.id}:{g}", "feedback",
                                   f"Feedback · {_short(prompt)}", plain(group.feedback),
                                   skill=skill, item=item.id, index=g, context=prompt))
    return tuple(out)
