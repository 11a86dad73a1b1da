"""Lookups derived once per module (skill order, items per skill, diagnostics, pages).

Split out of ``adaptive.policy.base``, which re-exports ``ModuleIndex``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adaptive.modules.format import Item, Module


@dataclass
class ModuleIndex:
    """Lookups derived once per module object (cached in ``module.engine_cache``)."""

    order: tuple[str, ...]  # skills in prerequisite (topological) order, module order on ties
    items_by_skill: dict[str, tuple[Item, ...]]
    diagnostic_by_skill: dict[str, tuple[Item, ...]]  # hardest first
    item_pos: dict[str, int]
    pages: dict[str, Any]
    relevant: frozenset[str]  # target skills and their prerequisites (transitively)

    @classmethod
    def of(cls, module: Module) -> ModuleIndex:
        cached = module.engine_cache.get("_engine_index")
        if cached is None:
            cached = cls._build(module)
            module.engine_cache["_engine_index"] = cached
        return cached

    @classmethod
    def _build(cls, module: Module) -> ModuleIndex:
        by_id = {s.id: s for s in module.skills}
        order: list[str] = []
        marks: dict[str, int] = {}

        def visit(sid: str) -> None:
            if marks.get(sid) == 2:
                return
            if marks.get(sid) == 1:  # a cycle: the loader rejects these; never recurse forever
                return
            marks[sid] = 1
            for pre in by_id[sid].prerequisites:
                if pre in by_id:
                    visit(pre)
            marks[sid] = 2
            order.append(sid)

        for s in module.skills:
            visit(s.id)
        items_by_skill: dict[str, list[Item]] = {sid: [] for sid in by_id}
        for item in module.items:
            if item.skills and item.primary_skill in items_by_skill:
                items_by_skill[item.primary_skill].append(item)
        diagnostic = {
            sid: tuple(sorted((i for i in items if i.diagnostic), key=lambda i: -i.difficulty))
            for sid, items in items_by_skill.items()
        }
        relevant: set[str] = set()
        stack = [s.id for s in module.skills if s.target]
        while stack:
            sid = stack.pop()
            if sid in relevant or sid not in by_id:
                continue
            relevant.add(sid)
            stack.extend(by_id[sid].prerequisites)
        return cls(
            order=tuple(order),
            items_by_skill={k: tuple(v) for k, v in items_by_skill.items()},
            diagnostic_by_skill=diagnostic,
            item_pos={i.id: n for n, i in enumerate(module.items)},
            pages={p.id: p for p in module.pages},
            relevant=frozenset(relevant),
        )
