"""The prerequisite graph as positioned boxes and arrows, for a server-drawn SVG.

Skills stand in columns by depth (the longest chain of prerequisites below them), so
every arrow points rightwards, from a prerequisite to the skill that builds on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 170, 44, 60, 18, 10


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int


def _label(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(data: Mapping[str, Any]) -> Graph:
    """Boxes and arrows of the module's skills (cycles were refused before this)."""
    skills = [s for s in data.get("skills") or [] if isinstance(s, Mapping) and s.get("id")]
    ids = [str(s["id"]) for s in skills]
    prereqs = {str(s["id"]): [str(p) for p in s.get("prerequisites") or [] if str(p) in ids]
               for s in skills}
    depth: dict[str, int] = {}

    def depth_of(sid: str, path: frozenset[str] = frozenset()) -> int:
        if sid in depth:
            return depth[sid]
        if sid in path:  # a cycle in data built by hand: stop rather than recurse forever
            return 0
        value = 1 + max((depth_of(p, path | {sid}) for p in prereqs[sid]), default=-1)
        depth[sid] = value
        return value

    columns: dict[int, list[str]] = {}
    for sid in ids:
        columns.setdefault(depth_of(sid), []).append(sid)
    where: dict[str, tuple[int, int]] = {}
    for col, members in columns.items():
        for row, sid in enumerate(members):
            where[sid] = (PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    titles = {str(s["id"]): str(s.get("title") or s["id"]) for s in skills}
    nodes = tuple(Node(sid, _label(titles[sid]), *where[sid]) for sid in ids)
    edges = tuple(
        Edge(p, sid, where[p][0] + BOX_W, where[p][1] + BOX_H // 2,
             where[sid][0], where[sid][1] + BOX_H // 2)
        for sid in ids for p in prereqs[sid])
    width = PAD * 2 + (max(columns, default=0) + 1) * (BOX_W + GAP_X) - GAP_X
    height = PAD * 2 + max((len(m) for m in columns.values()), default=1) * (BOX_H + GAP_Y) - GAP_Y
    return Graph(nodes, edges, width, height)
