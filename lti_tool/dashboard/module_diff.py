"""Apply the machine-applicable restructuring edits to a module's YAML, and show the diff.

The teacher downloads the edited YAML (and reviews the unified diff) from the dashboard,
then uploads it on the authoring page, which validates it like any module; nothing is
changed behind the teacher's back. ruamel.yaml's round trip keeps the author's comments,
order and layout, so the diff shows only the edits.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from lti_tool.protocol.errors import InputError


class EditError(InputError):
    """An edit that does not fit the module (a skill or item id that is not there)."""

    code = "edit_does_not_fit"


def _yaml(text: str) -> YAML:
    """A round-trip YAML that writes the text back with its own indentation, and never
    re-wraps long lines (the diff must show only the edits)."""
    _, indent, offset = load_yaml_guess_indent(text)
    y = YAML()
    y.preserve_quotes = True
    y.width = 10_000
    y.indent(mapping=2, sequence=indent or 2, offset=offset or 0)
    return y


def _by_id(rows: Iterable, wanted: str, what: str):
    for row in rows or ():
        if isinstance(row, Mapping) and str(row.get("id")) == wanted:
            return row
    raise EditError(f"the module has no {what} {wanted!r}")


def _apply(doc, edit: Mapping[str, str]) -> str:
    op = edit.get("op")
    if op in ("add_prerequisite", "remove_prerequisite"):
        skill = _by_id(doc.get("skills"), edit["skill"], "skill")
        pres = skill.get("prerequisites")
        if pres is None:
            pres = skill["prerequisites"] = CommentedSeq()
            pres.fa.set_flow_style()
        if op == "add_prerequisite":
            if edit["prerequisite"] not in pres:
                pres.append(edit["prerequisite"])
            return f"“{edit['prerequisite']}” is now a prerequisite of “{edit['skill']}”"
        if edit["prerequisite"] in pres:
            pres.remove(edit["prerequisite"])
        return f"“{edit['prerequisite']}” is no longer a prerequisite of “{edit['skill']}”"
    if op == "set_key":
        item = _by_id(doc.get("items"), edit["item"], "item")
        groups = item.get("answer_groups") or []
        target = next((g for g in groups if (g.get("match") or {}).get("choice")
                       == edit["choice"]), None)
        if target is None:
            raise EditError(f"item {edit['item']!r} has no answer group for {edit['choice']!r}")
        for g in groups:
            if g.get("correct") and g is not target:
                g["correct"] = False
        target["correct"] = True
        target.pop("misconception", None)  # a right answer carries no misconception
        return f"choice “{edit['choice']}” is now the key of “{edit['item']}”"
    raise EditError(f"unknown edit {op!r}")


def apply_edits(text: str, edits: Iterable[Mapping[str, str]], *,
                new_id: str | None = None) -> tuple[str, list[str]]:
    """The module text with ``edits`` applied, and one sentence per edit done.

    ``new_id`` renames the module (a built-in sample cannot be replaced, so a revised
    copy gets its own id). Edits that do not fit are reported, not applied.
    """
    y = _yaml(text)
    doc = y.load(text)
    done = []
    for edit in edits:
        try:
            done.append(_apply(doc, edit))
        except EditError as exc:
            done.append(f"not applied: {exc}")
    if new_id:
        doc["id"] = new_id
        done.append(f"the module id is now “{new_id}” (upload it as your own module)")
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue(), done


def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff a teacher (or any diff viewer) can read."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        fromfile=f"{name} (now)", tofile=f"{name} (suggested)"))
