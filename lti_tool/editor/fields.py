"""The module editor's forms ↔ the module as plain data (the loader's dict form).

Pure functions, no Flask: the editor's form fields are named by the validator's own
paths (``items[2].answer_groups[0].feedback``), so a posted form turns into the module
dict by reading each name as a path, and each problem the validator reports lands on the
field of the same path (or its nearest ancestor shown on the page). The YAML expert view
is generated from the same dict, so both views stay in sync: there is one module.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import yaml

from adaptive.modules.format import THINKING_KINDS
from adaptive.modules.loader import parse_module, read_document
from adaptive.modules.problems import Problem

__all__ = [
    "ITEM_TYPES", "Form", "anchor_for", "apply_action", "assign_problems", "blank_module",
    "check", "dom_id", "form_to_module", "module_yaml", "plain_message", "refuse_cycles",
    "shape_problems", "yaml_to_module",
]

ITEM_TYPES = ("single_choice", "multiple_choice", "numeric", "short_text", "ordering")
CHOICE_TYPES = ("single_choice", "multiple_choice", "ordering")
KINDS = tuple(sorted(THINKING_KINDS))
# What each item type's match rule may hold (the schema refuses the others).
# Keyed by item type; looked up with whatever a draft holds (any JSON value).
MATCH_KEYS: dict[object, tuple[str, ...]] = {
    "single_choice": ("choice",),
    "multiple_choice": ("choices",),
    "numeric": ("value", "tolerance", "low", "high"),
    "short_text": ("text", "mode", "pattern"),
    "ordering": ("order",),
}
# Top-level keys the forms do not edit; kept as they are (e.g. metadata, translations).
FORM_KEYS = ("schema_version", "id", "title", "description", "estimated_minutes", "language",
             "settings", "skills", "pages", "items", "goals", "figures")


class Form(Protocol):
    """What a posted form offers: werkzeug's MultiDict does."""

    def getlist(self, key: str) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_INDEX = re.compile(r"\[\d+\]")
_PATH = re.compile(r"[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*")

# The kind of value behind a field, by its path with the indices taken out.
_INTS = {"estimated_minutes", "settings.practice_cap", "settings.diagnostic_items",
         "schema_version"}
_FLOATS = {"settings.mastery_threshold", "settings.half_life_days", "items[].difficulty"}
_MULTI = {"skills[].prerequisites", "items[].skills", "goals[].skills",
          "items[].answer_groups[].match.choices"}
_BOOLS = {"skills[].graded", "skills[].target", "items[].diagnostic", "items[].shuffle",
          "items[].answer_groups[].correct"}
_DESTINATIONS = {"items[].answer_groups[].destination", "items[].default_destination"}
_NUMBER_OR_EXPRESSION = {f"items[].answer_groups[].match.{k}"
                         for k in ("value", "tolerance", "low", "high")}
_CSV = {"items[].answer_groups[].match.order"}
# Lists that are left out when empty (the rest are required and reported when empty).
_OPTIONAL_LISTS = {"prerequisites", "hints", "choices", "resources", "pages", "goals",
                   "figures", "where"}


def _shape(path: str) -> str:
    return _INDEX.sub("[]", path)


def _tokens(path: str) -> list[str | int] | None:
    """``items[2].hints[0]`` → ``["items", 2, "hints", 0]``; None for any other name."""
    if not _PATH.fullmatch(path):
        return None
    return [m.group(1) if m.group(1) else int(m.group(2)) for m in _TOKEN.finditer(path)]


def _number(text: str) -> int | float | str:
    """A number when the text is one; else the text itself, for the schema to report."""
    stripped = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text \
        else text.strip()
    try:
        value = float(stripped)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in stripped and "e" not in \
        stripped.lower() else value


def _coerce(shape: str, values: list[str]) -> Any:
    last = values[-1] if values else ""
    if shape in _MULTI:
        # In document order, once each: an item's main skill (a select) comes first.
        return list(dict.fromkeys(v for v in values if v))
    if shape in _BOOLS:
        # A hidden "0" precedes each checkbox, so an unchecked box still says so.
        return last == "1"
    if shape in _CSV:
        return [part.strip() for part in last.split(",") if part.strip()]
    if shape in _DESTINATIONS:
        kind, _, target = last.partition(":")
        return {kind: target} if kind in ("page", "item") and target else None
    if shape in _INTS or shape in _FLOATS or shape.startswith(("settings.bkt.", "skills[].bkt.")):
        if not last.strip():
            return None
        value = _number(last)
        return float(value) if shape in _FLOATS and isinstance(value, int) else value
    if shape in _NUMBER_OR_EXPRESSION:
        # A number, or an expression over the item's variant parameters ("a * k").
        return _number(last) if last.strip() else None
    return last.replace("\r\n", "\n")


def _put(tree: dict[Any, Any], tokens: list[str | int], value: Any) -> None:
    node = tree
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
        if not isinstance(node, dict):
            return  # a name used both as a value and a container: keep the first
    node[tokens[-1]] = value


def _listify(node: Any) -> Any:
    """Index-keyed dicts → lists (in index order; gaps left by removals close up)."""
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            return [_listify(node[k]) for k in sorted(node)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def _prune(node: Any, key: str = "") -> Any:
    """Drop empty optional values, so the module says only what the teacher set."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            v = _prune(v, k)
            if v is None or v == "" or v == {}:
                continue
            if v == [] and k in _OPTIONAL_LISTS:
                continue
            out[k] = v
        return out
    if isinstance(node, list):
        items = [_prune(v, key) for v in node]
        if key in ("hints", "where"):
            items = [v for v in items if v not in ("", None)]
        return items
    return node


def _variant_rows(variants: Mapping[str, Any]) -> dict[str, Any] | None:
    """The variants form (rows of parameters, "name = expression" lines) → the format."""
    params: dict[str, Any] = {}
    for row in variants.get("params") or []:
        if not isinstance(row, Mapping) or not str(row.get("name", "")).strip():
            continue
        spec: dict[str, Any] = {}
        if str(row.get("values", "")).strip():
            spec["values"] = [_number(v) for v in str(row["values"]).split(",") if v.strip()]
        for key in ("min", "max", "step", "default"):
            if str(row.get(key, "")).strip():
                spec[key] = _number(str(row[key]))
        params[str(row["name"]).strip()] = spec
    derived: dict[str, str] = {}
    for line in str(variants.get("derived", "")).splitlines():
        name, sep, expression = line.partition("=")
        if sep and name.strip():
            derived[name.strip()] = expression.strip()
    where = [line.strip() for line in str(variants.get("where", "")).splitlines() if line.strip()]
    if not params and not derived and not where:
        return None
    out: dict[str, Any] = {"params": params}
    if derived:
        out["derived"] = derived
    if where:
        out["where"] = where
    return out


def variant_rows(variants: Mapping[str, Any] | None) -> dict[str, Any]:
    """The format's variants → what the variants form shows (the inverse of the above)."""
    variants = variants if isinstance(variants, Mapping) else {}
    params = variants.get("params")
    rows = []
    for name, spec in (params if isinstance(params, Mapping) else {}).items():
        spec = spec if isinstance(spec, Mapping) else {}
        values = spec.get("values") or []
        rows.append({"name": name,
                     "values": ", ".join(str(v) for v in values) if isinstance(values, list)
                     else str(values),
                     **{k: "" if spec.get(k) is None else str(spec[k])
                        for k in ("min", "max", "step", "default")}})
    derived = "\n".join(f"{k} = {v}" for k, v in (variants.get("derived") or {}).items())
    where = "\n".join(str(w) for w in variants.get("where") or [])
    return {"params": rows, "derived": derived, "where": where}


def _tidy_item(item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind in MATCH_KEYS:
        allowed = MATCH_KEYS[kind]
        for group in item.get("answer_groups") or []:
            if isinstance(group, dict):
                found = group.get("match")
                match = found if isinstance(found, dict) else {}
                group["match"] = {k: v for k, v in match.items() if k in allowed}
                if kind == "multiple_choice":
                    group["match"].setdefault("choices", [])
                group.setdefault("correct", False)
        if kind not in CHOICE_TYPES:
            item.pop("choices", None)
    if isinstance(item.get("variants"), dict):
        rows = _variant_rows(item["variants"])
        if rows is None:
            item.pop("variants")
        else:
            item["variants"] = rows


def form_to_module(form: Form) -> dict[str, Any]:
    """A posted editor form → the module dict (what a YAML file of it would load to)."""
    tree: dict[Any, Any] = {}
    extra: dict[str, Any] = {}
    for key in form:
        if key == "_extra":
            try:
                loaded = json.loads(form.getlist(key)[-1] or "{}")
            except ValueError:
                loaded = {}
            extra = loaded if isinstance(loaded, dict) else {}
            continue
        tokens = _tokens(key)
        if tokens is None or not isinstance(tokens[0], str) or tokens[0] not in FORM_KEYS:
            continue  # the launch token, the action button, ...
        shape = _shape(key)
        if ".variants." in shape:
            value: Any = form.getlist(key)[-1] if form.getlist(key) else ""
        else:
            value = _coerce(shape, form.getlist(key))
        _put(tree, tokens, value)
    data = _listify(tree)
    for item in data.get("items") or []:
        if isinstance(item, dict):
            _tidy_item(item)
    data = _prune(data)
    data.setdefault("schema_version", 1)
    for key, value in extra.items():
        if key not in FORM_KEYS:
            data[key] = value
    return _ordered(data)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """The top-level keys in the format guide's order, for a readable YAML view."""
    order = {k: n for n, k in enumerate(FORM_KEYS)}
    return dict(sorted(data.items(), key=lambda kv: order.get(kv[0], len(order))))


def extra_json(data: Mapping[str, Any]) -> str:
    """The keys the forms do not edit, carried through the form as JSON."""
    return json.dumps({k: v for k, v in data.items() if k not in FORM_KEYS})


# --- the YAML expert view -------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def module_yaml(data: Mapping[str, Any]) -> str:
    """The module as YAML text (block style; multi-line text as ``|`` blocks)."""
    return yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


# Where the forms need a list or a mapping (by path with the indices taken out): a draft
# of another shape could not be shown, so such text is refused (the schema alone would
# let it into a draft, which may have errors, and the forms would then fail on it).
_SHAPE_LISTS = {"skills", "pages", "items", "goals", "figures", "skills[].prerequisites",
                "skills[].resources", "items[].skills", "items[].choices", "items[].hints",
                "items[].answer_groups", "items[].answer_groups[].match.choices",
                "items[].answer_groups[].match.order", "items[].variants.where",
                "goals[].skills"}
_SHAPE_MAPPINGS = {"settings", "settings.bkt", "skills[]", "skills[].bkt", "skills[].resources[]",
                   "pages[]", "goals[]", "figures[]", "items[]", "items[].choices[]",
                   "items[].answer_groups[]", "items[].answer_groups[].match",
                   "items[].variants", "items[].variants.params", "items[].variants.derived"}


def shape_problems(data: Any, path: str = "", shape: str = "") -> list[Problem]:
    """Each place where the module has a scalar for a list or a mapping the forms show
    (an empty value is fine: the forms show nothing there)."""
    if data is None:
        return []
    wanted = list if shape in _SHAPE_LISTS else dict if shape in _SHAPE_MAPPINGS else None
    if wanted is not None and not isinstance(data, wanted):
        what = "a list" if wanted is list else "a mapping (key: value lines)"
        return [Problem("module.yaml", None, path, "editor-shape", f"{path} must be {what}")]
    if isinstance(data, dict):
        return [p for key, value in data.items()
                for p in shape_problems(value, f"{path}.{key}" if path else str(key),
                                        f"{shape}.{key}" if shape else str(key))]
    if isinstance(data, list) and wanted is list:
        return [p for n, value in enumerate(data)
                for p in shape_problems(value, f"{path}[{n}]", f"{shape}[]")]
    return []


def yaml_to_module(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The expert view's text → the module dict, or the problems that stop reading it."""
    data, _, problems = read_document(text, "module.yaml")
    if data is None:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem("module.yaml", 1, "", "not-a-mapping", "a module is a mapping")]
    shape = shape_problems(data)
    if shape:
        return None, shape
    return data, [p for p in problems if p.is_error]


def check(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem the validator finds in the module (the same checks as a file's)."""
    return parse_module(module_yaml(data), "module.yaml")[1]


# --- problems next to their fields -----------------------------------------------------------

_PLAIN = {
    "schema-required": "This is required.",
    "schema-type": "This has the wrong kind of value (a number is expected here, or text).",
    "schema-pattern": "Use letters, digits, '-', '_' or '.', starting with a letter or digit.",
    "schema-min-length": "This cannot be empty.",
    "schema-min-items": "Add at least one.",
}


def plain_message(problem: Problem) -> str:
    """The validator's message in plain words where its own is schema jargon."""
    if problem.code in _PLAIN:
        if problem.code == "schema-type" and "number" in problem.message:
            return "Enter a number."
        return _PLAIN[problem.code]
    return problem.message


def _entry_fields(data: Mapping[str, Any]) -> set[str]:
    """Every path the editor page shows a field or a section for (see templates/editor)."""
    paths = {"", "id", "title", "description", "estimated_minutes", "language", "settings",
             "skills", "items", "pages", "goals", "figures"}
    paths |= {f"settings.{k}" for k in ("mastery_threshold", "practice_cap",
                                        "diagnostic_items", "half_life_days", "bkt")}
    bkt_keys = ("prior", "learn", "guess", "slip", "forget")
    paths |= {f"settings.bkt.{k}" for k in bkt_keys}
    for n, skill in enumerate(data.get("skills") or []):
        base = f"skills[{n}]"
        paths |= {base} | {f"{base}.{k}" for k in ("id", "title", "description",
                                                   "prerequisites", "lesson", "graded",
                                                   "target", "resources", "bkt")}
        paths |= {f"{base}.bkt.{k}" for k in bkt_keys}
        for r, _ in enumerate((skill or {}).get("resources") or [] if isinstance(skill, dict)
                              else []):
            paths |= {f"{base}.resources[{r}]"} | {f"{base}.resources[{r}].{k}"
                                                   for k in ("kind", "title", "url",
                                                             "description")}
    for n, _ in enumerate(data.get("pages") or []):
        paths |= {f"pages[{n}]"} | {f"pages[{n}].{k}" for k in ("id", "title", "skill", "kind",
                                                               "body")}
    for n, _ in enumerate(data.get("goals") or []):
        paths |= {f"goals[{n}]"} | {f"goals[{n}].{k}" for k in ("id", "title", "description",
                                                               "skills")}
    for n, _ in enumerate(data.get("figures") or []):
        paths |= {f"figures[{n}]"} | {f"figures[{n}].{k}" for k in ("id", "alt", "caption")}
    for n, item in enumerate(data.get("items") or []):
        base = f"items[{n}]"
        item = item if isinstance(item, dict) else {}
        paths |= {base} | {f"{base}.{k}" for k in (
            "id", "type", "skills", "prompt", "diagnostic", "difficulty", "kind", "choices",
            "answer_groups", "default_feedback", "default_destination", "hints", "solution",
            "variants")}
        for c, _ in enumerate(item.get("choices") or []):
            paths |= {f"{base}.choices[{c}]", f"{base}.choices[{c}].id",
                      f"{base}.choices[{c}].text"}
        for h, _ in enumerate(item.get("hints") or []):
            paths.add(f"{base}.hints[{h}]")
        for g, _ in enumerate(item.get("answer_groups") or []):
            group = f"{base}.answer_groups[{g}]"
            paths |= {group, f"{group}.match"} | {f"{group}.{k}" for k in (
                "correct", "feedback", "misconception", "destination")}
            paths |= {f"{group}.match.{k}" for k in MATCH_KEYS.get(item.get("type"), ())}
    return paths


def anchor_for(path: str, shown: set[str]) -> str:
    """The path itself when a field shows it, else its nearest shown ancestor."""
    while path and path not in shown:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return path


def assign_problems(problems: Iterable[Problem],
                    data: Mapping[str, Any]) -> dict[str, list[Problem]]:
    """Problems by the field (path) they are shown next to; "" is the module as a whole."""
    shown = _entry_fields(data)
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        out.setdefault(anchor_for(problem.path, shown), []).append(problem)
    return out


def dom_id(path: str) -> str:
    """An HTML id for a field path: ``items[0].hints[1]`` → ``f-items_0__hints_1``."""
    return "f-" + path.replace("[", "_").replace("]", "").replace(".", "__") if path \
        else "f-module"


# --- prerequisites: cycles are refused as they are made ---------------------------------------


def _reaches(edges: Mapping[str, set[str]], start: str, goal: str) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


def refuse_cycles(data: dict[str, Any],
                  before: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Drop each newly added prerequisite that would close a cycle; say which and why.

    Prerequisites the module already had (``before``) are kept first, so the one refused
    is the one just made, never an older one.
    """
    data = copy.deepcopy(data)
    skills = [s for s in data.get("skills") or [] if isinstance(s, dict)]
    old: set[tuple[str, str]] = set()
    for skill in (before or {}).get("skills") or []:
        if isinstance(skill, dict):
            old |= {(str(skill.get("id")), str(p)) for p in skill.get("prerequisites") or []}
    titles = {str(s.get("id")): str(s.get("title") or s.get("id")) for s in skills}
    edges: dict[str, set[str]] = {}  # skill -> its prerequisites
    wanted = [(str(s.get("id")), str(p)) for s in skills for p in s.get("prerequisites") or []]
    accepted: set[tuple[str, str]] = set()
    messages: list[str] = []
    for edge in sorted(wanted, key=lambda e: e not in old):
        skill, prereq = edge
        if skill == prereq or _reaches(edges, prereq, skill):
            messages.append(f"“{titles.get(skill, skill)}” cannot build on "
                            f"“{titles.get(prereq, prereq)}”: "
                            + ("a skill cannot build on itself." if skill == prereq else
                               f"“{titles.get(prereq, prereq)}” already builds on "
                               f"“{titles.get(skill, skill)}”, so this would make a circle."))
            continue
        edges.setdefault(skill, set()).add(prereq)
        accepted.add(edge)
    for skill in skills:
        sid = str(skill.get("id"))
        if "prerequisites" in skill:
            skill["prerequisites"] = [p for p in skill["prerequisites"]
                                      if (sid, str(p)) in accepted]
    return data, messages


# --- adding and removing entries ---------------------------------------------------------------


def _fresh_id(prefix: str, taken: Iterable[Any]) -> str:
    used = {str(t) for t in taken}
    n = 1
    while f"{prefix}-{n}" in used:
        n += 1
    return f"{prefix}-{n}"


def new_item(data: Mapping[str, Any], item_type: str) -> dict[str, Any]:
    """A new item of ``item_type`` for the first skill, with the fields its type needs."""
    skills = [s.get("id") for s in data.get("skills") or [] if isinstance(s, dict)]
    item: dict[str, Any] = {
        "id": _fresh_id("item", (i.get("id") for i in data.get("items") or []
                                 if isinstance(i, dict))),
        "type": item_type, "skills": skills[:1], "prompt": ""}
    if item_type in CHOICE_TYPES:
        item["choices"] = [{"id": "a", "text": ""}, {"id": "b", "text": ""}]
    matches: dict[str, dict[str, Any]] = {
        "single_choice": {"choice": "a"}, "multiple_choice": {"choices": ["a"]},
        "numeric": {"value": 0, "tolerance": 0}, "short_text": {"text": "", "mode": "normalised"},
        "ordering": {"order": ["a", "b"]}}
    match = matches[item_type]
    item["answer_groups"] = [{"match": match, "correct": True, "feedback": ""}]
    return item


def _resolve(data: Any, path: str) -> tuple[Any, str | int] | None:
    tokens = _tokens(path)
    if not tokens:
        return None
    node = data
    for token in tokens[:-1]:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return None
    return node, tokens[-1]


def apply_action(data: dict[str, Any], action: str) -> tuple[dict[str, Any], str]:
    """``add:PATH[:TYPE]``, ``remove:PATH`` or ``move:PATH:up|down`` from a form button
    → (module, path to show)."""
    data = copy.deepcopy(data)
    verb, _, rest = action.partition(":")
    path, _, option = rest.partition(":")
    if verb == "remove":
        found = _resolve(data, path)
        parent = path[:path.rfind("[")] if "[" in path else ""
        if found is not None and isinstance(found[0], list) and isinstance(found[1], int) \
                and found[1] < len(found[0]):
            found[0].pop(found[1])
            if found[0]:  # the focus goes to the entry now in its place (or the one before)
                return data, f"{parent}[{min(found[1], len(found[0]) - 1)}]"
        return data, parent
    if verb == "move":
        return move_entry(data, path, option)
    if verb != "add":
        return data, ""
    if path.endswith(".variants.params"):
        item = _resolve(data, path.rsplit(".", 2)[0] + ".x")
        if item is not None and isinstance(item[0], dict) \
                and not isinstance(item[0].get("variants"), dict):
            item[0]["variants"] = {"params": {}}
    found = _resolve(data, path)
    if found is None:
        return data, ""
    parent, key = found
    if path.endswith(".variants.params") and isinstance(parent, dict):
        current = parent.get(key)
        params = current if isinstance(current, dict) else {}
        name = next((c for c in "abcdefghkmnpqrstuvwxyz" if c not in params), "p")
        parent[key] = {**params, name: {"min": 1, "max": 9}}
        return data, path
    if isinstance(parent, dict) and not isinstance(parent.get(key), list):
        parent[key] = []
    # A list parent comes with an int key from _resolve, a dict parent with a str one.
    target = parent[key] if isinstance(parent, (dict, list)) else None  # type: ignore[index]
    if not isinstance(target, list):
        return data, ""
    name = path.rsplit(".", 1)[-1]
    ids = [e.get("id") for e in target if isinstance(e, dict)]
    entry: Any
    if name == "skills" and path == "skills":
        entry = {"id": _fresh_id("skill", ids), "title": "", "prerequisites": []}
    elif name == "pages":
        skills = [s.get("id") for s in data.get("skills") or [] if isinstance(s, dict)]
        entry = {"id": _fresh_id("page", ids), "title": "", "kind": "lesson", "body": "",
                 **({"skill": skills[0]} if skills else {})}
    elif name == "items":
        entry = new_item(data, option if option in ITEM_TYPES else "single_choice")
    elif name == "goals":
        entry = {"id": _fresh_id("goal", ids), "title": "", "skills": []}
    elif name == "choices":
        letters = "abcdefghijklmnopqrstuvwxyz"
        entry = {"id": next((c for c in letters if c not in ids), _fresh_id("c", ids)),
                 "text": ""}
    elif name == "answer_groups":
        owner = parent if isinstance(parent, dict) else {}
        match = new_item(data, owner.get("type", "single_choice"))["answer_groups"][0]["match"]
        entry = {"match": match, "correct": False, "feedback": ""}
    elif name == "hints":
        entry = ""
    elif name == "resources":
        entry = {"kind": "reading", "title": ""}
    else:
        return data, ""
    target.append(entry)
    return data, f"{path}[{len(target) - 1}]"


# The lists whose order the forms change by "Move up" / "Move down" buttons (by path with
# the indices taken out): the order of skills is the learner's progress list, of pages and
# questions the order they are met in, of answer groups which rule is tried first.
MOVABLE = {"skills", "pages", "items", "goals", "items[].choices", "items[].answer_groups",
           "items[].hints"}


def move_entry(data: dict[str, Any], path: str, direction: str) -> tuple[dict[str, Any], str]:
    """The entry at ``path`` (``items[2]``) swapped with its neighbour above (``up``) or
    below (``down``) → (module, its new path). Anything else leaves the module as it is."""
    data = copy.deepcopy(data)
    found = _resolve(data, path)
    if found is None or "[" not in path or _shape(path[:path.rfind("[")]) not in MOVABLE:
        return data, path
    entries, index = found
    step = {"up": -1, "down": 1}.get(direction)
    if not isinstance(entries, list) or not isinstance(index, int) or step is None \
            or not 0 <= index < len(entries) or not 0 <= index + step < len(entries):
        return data, path
    entries[index], entries[index + step] = entries[index + step], entries[index]
    return data, f"{path[:path.rfind('[')]}[{index + step}]"


def move_button(data: Mapping[str, Any], path: str, direction: str) -> str:
    """The DOM id of the button to keep the focus on after a move: the same direction's
    at ``path`` (its new place), or the other one's when the entry reached an end."""
    found = _resolve(data, path)
    size = len(found[0]) if found is not None and isinstance(found[0], list) else 0
    index = found[1] if found is not None and isinstance(found[1], int) else 0
    if (direction == "up" and index == 0) or (direction == "down" and index >= size - 1):
        direction = "down" if direction == "up" else "up"
    return f"{dom_id(path)}-{direction}"


def path_for_target(data: Mapping[str, Any], target: str) -> str:
    """Where a restructuring suggestion's target is in the module: an item, skill or page
    id, or ``A>B`` (A before B: B's prerequisites); "" when it is not there."""
    if ">" in target:
        _, _, after = target.partition(">")
        path = path_for_target(data, after)
        return f"{path}.prerequisites" if path.startswith("skills[") else path
    for key in ("items", "skills", "pages"):
        for n, entry in enumerate(data.get(key) or []):
            if isinstance(entry, Mapping) and str(entry.get("id")) == target:
                return f"{key}[{n}]"
    return ""


def blank_module(module_id: str = "my-module") -> dict[str, Any]:
    """What "New module" starts from: one skill with its lesson page, nothing else."""
    return {"schema_version": 1, "id": module_id, "title": "", "description": "",
            "skills": [{"id": "skill-1", "title": "", "prerequisites": [], "lesson": "page-1"}],
            "pages": [{"id": "page-1", "title": "", "skill": "skill-1", "kind": "lesson",
                       "body": ""}],
            "items": []}
