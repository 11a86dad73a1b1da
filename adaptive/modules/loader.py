"""Load a module file (YAML or JSON) into the frozen dataclasses of ``format.py``.

The pipeline never raises on bad input; every problem is collected with its
file, line and path so that an author sees them all at once:

1. read the text with a YAML loader that keeps the node tree, so each value's
   path (``items[3].answer_groups[0].match.pattern``) maps to a line;
2. check the document against ``module.schema.json``;
3. build the dataclasses leniently (wrongly typed values fall back to defaults,
   the schema has already reported them);
4. run the semantic checks of ``validate.py``.

``parse_module`` returns a module only when there is no error (warnings are fine).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from adaptive.modules.format import (
    NEXT,
    SCHEMA_VERSION,
    AnswerGroup,
    BKTParams,
    Choice,
    Destination,
    Figure,
    Goal,
    Item,
    ItemType,
    Match,
    Module,
    ModuleSettings,
    Page,
    Param,
    Resource,
    Skill,
    Variants,
)
from adaptive.modules.problems import ModuleError, Problem
from adaptive.modules.validate import (
    line_for,
    merge_problems,
    schema_problems,
    validate_module,
)

__all__ = [
    "LineMap",
    "build_module",
    "load_module",
    "module_to_dict",
    "parse_module",
    "read_document",
    "read_sibling_translations",
    "sibling_translation_paths",
    "translation_base",
    "translation_to_data",
    "validate_files",
    "validate_text",
]

LineMap = dict[str, int]

# Guards against "billion laughs" style alias bombs: the node tree is walked with
# memoised sizes, and a document that would expand beyond this is refused before
# the schema validator (which does not share aliased nodes) sees it.
MAX_EXPANDED_NODES = 200_000

_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """A safe loader with YAML 1.2 core scalars.

    PyYAML follows YAML 1.1, where ``no``/``yes``/``on``/``off`` are booleans,
    ``1e-3`` is a string, ``010`` is octal and ``1:30`` is 90. In a module those
    are a choice id called "no", a tolerance, and so on, so use the 1.2 rules.
    """


_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"

_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if value.startswith("0x"):
        return int(value, 16)
    return int(value, 10)  # "010" is ten, not eight


_Loader.add_constructor(_INT_TAG, _construct_int)


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _walk(
    node: yaml.Node,
    path: str,
    lines: LineMap,
    problems: list[Problem],
    filename: str,
    walked: set[int] | None = None,
) -> None:
    """Record the 1-based line of every path; report duplicate mapping keys.

    ``walked`` holds the nodes already visited: an aliased node's lines are
    recorded under its first path only, which keeps the walk linear.
    """
    lines.setdefault(path, node.start_mark.line + 1)
    walked = set() if walked is None else walked
    if id(node) in walked:
        return
    walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                continue
            child = _join(path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                # PyYAML silently keeps the last value; an author almost never means that.
                problems.append(
                    Problem(
                        filename,
                        line,
                        child,
                        "duplicate-key",
                        f"key {key!r} appears twice in this mapping (first on line {seen[key]})",
                    )
                )
                continue
            seen[key] = line
            # The key's line, not the value's: for "body: |" the value starts below.
            lines[child] = line
            _walk(value_node, child, lines, problems, filename, walked)
    elif isinstance(node, yaml.SequenceNode):
        for index, child_node in enumerate(node.value):
            _walk(child_node, _join(path, index), lines, problems, filename, walked)


_IN_PROGRESS = -1


class _AliasCycle(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    known = memo.get(id(node))
    if known == _IN_PROGRESS:
        raise _AliasCycle  # an alias to an ancestor: the data would contain itself
    if known is not None:
        return known
    memo[id(node)] = _IN_PROGRESS
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, memo) + _expanded_size(value_node, memo)
            if size > MAX_EXPANDED_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo)
            if size > MAX_EXPANDED_NODES:
                break
    memo[id(node)] = size
    return size


def _mark_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith(("{", "["))


def _keep_source_hashes(node: yaml.Node, data: Any, depth: int = 0) -> None:
    """A translation's ``source: 81292e36`` is a hash, not the number 8.1292e40: YAML 1.1
    writers (PyYAML's dump) leave such strings unquoted, and the 1.2 rules read them as
    numbers. Put back the scalar's own text for every ``source`` key."""
    if depth > 12:
        return
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key: Any = key_node.value
            if key not in data and key.isdigit():
                key = int(key)
            if key not in data:
                continue
            if (key == "source" and isinstance(value_node, yaml.ScalarNode)
                    and isinstance(data[key], int | float) and not value_node.style):
                data[key] = value_node.value
            else:
                _keep_source_hashes(value_node, data[key], depth + 1)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for child_node, child in zip(node.value, data, strict=False):
            _keep_source_hashes(child_node, child, depth + 1)


def _keep_translation_hashes(node: yaml.Node, data: Any) -> None:
    """``_keep_source_hashes`` for a translation file, or the module file's
    ``translations:`` (nothing else of a module is touched: ``metadata`` may hold numbers)."""
    if not (isinstance(node, yaml.MappingNode) and isinstance(data, dict)):
        return
    if "translation_of" in data:
        _keep_source_hashes(node, data)
        return
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "translations":
            _keep_source_hashes(value_node, data.get("translations"))


def read_document(text: str, filename: str = "<module>") -> tuple[Any, LineMap, list[Problem]]:
    """Parse YAML or JSON text into plain data plus a path → line map.

    Returns ``(None, lines, problems)`` when the text cannot be read; never raises.
    """
    problems: list[Problem] = []
    lines: LineMap = {}
    is_json_file = filename.lower().endswith(".json")
    if is_json_file or _looks_like_json(text):
        # JSON is (almost) YAML, but json.loads gives exact JSON semantics and the
        # right line for a JSON syntax error; the YAML pass is then only for lines.
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if is_json_file:
                return None, lines, [Problem(filename, exc.lineno, "", "json-syntax", exc.msg)]
            data = None  # "{id: x}" is a YAML flow mapping: read it as YAML below
        except RecursionError:
            return None, lines, [Problem(filename, None, "", "json-syntax", "nested too deeply")]
        if data is not None:
            try:
                node = yaml.compose(text, Loader=_Loader)
                if node is not None:
                    _walk(node, "", lines, problems, filename)
            except (yaml.YAMLError, RecursionError):
                pass  # valid JSON that the YAML reader refuses: data without line numbers
            return data, lines, problems

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, [Problem(filename, 1, "", "empty-document", "the file is empty")]
        try:
            too_large = _expanded_size(node, {}) > MAX_EXPANDED_NODES
        except _AliasCycle:
            message = "an alias refers to a value that contains it"
            return None, lines, [Problem(filename, 1, "", "recursive-alias", message)]
        if too_large:
            message = f"the document expands to more than {MAX_EXPANDED_NODES} values"
            return None, lines, [Problem(filename, 1, "", "document-too-large", message)]
        _walk(node, "", lines, problems, filename)
        data = loader.construct_document(node)
        _keep_translation_hashes(node, data)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"{context}: {problem}" if context else str(problem)
        return None, lines, [Problem(filename, _mark_line(exc), "", "yaml-syntax", message)]
    except (ValueError, RecursionError) as exc:  # e.g. an int constructor on odd input
        return None, lines, [Problem(filename, None, "", "yaml-syntax", str(exc))]
    finally:
        loader.dispose()
    return data, lines, problems


# --- building the dataclasses --------------------------------------------------------
# Every getter falls back to a default on a wrong type: the schema reports the
# type error with its line, and the semantic checks still run on the rest.


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return value if isinstance(value, str) else default


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _num(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key)
    return float(value) if _is_number(value) else default


def _opt_num(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    return float(value) if _is_number(value) else None


def _int(data: Mapping[str, Any], key: str, default: int) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _strs(value: object) -> tuple[str, ...]:
    return tuple(v for v in _list(value) if isinstance(v, str))


class _Builder:
    def __init__(self, filename: str, lines: LineMap) -> None:
        self.filename = filename
        self.lines = lines
        self.problems: list[Problem] = []

    def _bkt_values(self, raw: object, path: str) -> dict[str, float]:
        values = {
            k: float(v)
            for k, v in _mapping(raw).items()
            if k in ("prior", "learn", "guess", "slip", "forget") and _is_number(v)
        }
        for name in ("guess", "slip"):
            if values.get(name, 0.0) >= 0.5:
                # Guess or slip at 0.5 or more makes a correct answer evidence
                # *against* knowing the skill; BKTParams refuses it.
                where = _join(path, name)
                self.problems.append(
                    Problem(
                        self.filename,
                        line_for(self.lines, where),
                        where,
                        "bkt-guess-slip",
                        f"BKT {name} must be below 0.5, got {values[name]}",
                    )
                )
        return values

    def _bkt(self, base: BKTParams, raw: object, path: str) -> BKTParams | None:
        values = self._bkt_values(raw, path)
        try:
            return BKTParams(**{**base.to_dict(), **values})
        except ValueError:
            return None  # reported above or by the schema (range)

    def settings(self, raw: object) -> ModuleSettings:
        data = _mapping(raw)
        defaults = ModuleSettings()
        bkt = self._bkt(defaults.bkt, data.get("bkt"), "settings.bkt") or defaults.bkt
        return ModuleSettings(
            mastery_threshold=_num(data, "mastery_threshold", defaults.mastery_threshold),
            practice_cap=_int(data, "practice_cap", defaults.practice_cap),
            diagnostic_items=_int(data, "diagnostic_items", defaults.diagnostic_items),
            bkt=bkt,
            half_life_days=_num(data, "half_life_days", defaults.half_life_days),
        )

    def skill(self, raw: object, path: str, settings: ModuleSettings) -> Skill:
        data = _mapping(raw)
        bkt = None
        if "bkt" in data:
            # A skill's bkt is partial and merged over the module's settings.bkt.
            bkt = self._bkt(settings.bkt, data["bkt"], _join(path, "bkt"))
        return Skill(
            id=_str(data, "id"),
            title=_str(data, "title"),
            description=_str(data, "description"),
            prerequisites=_strs(data.get("prerequisites")),
            lesson=_opt_str(data, "lesson"),
            graded=_bool(data, "graded", True),
            target=_bool(data, "target", True),
            bkt=bkt,
            resources=tuple(
                Resource(kind=_str(_mapping(r), "kind"), title=_str(_mapping(r), "title"),
                         url=_str(_mapping(r), "url").strip(),
                         description=_str(_mapping(r), "description"))
                for r in _list(data.get("resources"))
            ),
        )

    @staticmethod
    def goal(raw: object) -> Goal:
        data = _mapping(raw)
        return Goal(
            id=_str(data, "id"),
            title=_str(data, "title"),
            skills=_strs(data.get("skills")),
            description=_str(data, "description"),
        )

    @staticmethod
    def figure(raw: object) -> Figure:
        data = _mapping(raw)
        svg = _opt_str(data, "svg")
        return Figure(
            id=_str(data, "id"),
            alt=_str(data, "alt"),
            media_type="image/svg+xml" if svg is not None else "image/png",
            data=svg if svg is not None else "".join(_str(data, "png").split()),
            caption=_str(data, "caption"),
        )

    @staticmethod
    def page(raw: object) -> Page:
        data = _mapping(raw)
        return Page(
            id=_str(data, "id"),
            title=_str(data, "title"),
            body=_str(data, "body"),
            skill=_opt_str(data, "skill"),
            kind=_str(data, "kind", "lesson"),
        )

    @staticmethod
    def destination(raw: object) -> Destination:
        if isinstance(raw, Mapping):
            for kind in ("page", "item"):
                if isinstance(raw.get(kind), str):
                    return Destination(kind, raw[kind])
        return NEXT  # absent, "next", {next: true}, or malformed (the schema says so)

    @staticmethod
    def match(raw: object) -> Match:
        data = _mapping(raw)
        # An item with variants may compute its numbers: a string is an expression.
        exprs = tuple(
            (name, data[name])
            for name in ("value", "tolerance", "low", "high")
            if isinstance(data.get(name), str)
        )
        return Match(
            exprs=exprs,
            choice=_opt_str(data, "choice"),
            choices=_strs(data.get("choices")),
            value=_opt_num(data, "value"),
            tolerance=_num(data, "tolerance", 0.0),
            low=_opt_num(data, "low"),
            high=_opt_num(data, "high"),
            text=_opt_str(data, "text"),
            mode=_str(data, "mode", "normalised"),
            pattern=_opt_str(data, "pattern"),
            order=_strs(data.get("order")),
        )

    @staticmethod
    def variants(raw: object) -> Variants | None:
        if raw is None:
            return None
        data = _mapping(raw)
        params = []
        for name, spec in _mapping(data.get("params")).items():
            spec = _mapping(spec)
            params.append(Param(
                name=str(name),
                low=_opt_num(spec, "min"),
                high=_opt_num(spec, "max"),
                step=_num(spec, "step", 1),
                values=tuple(v for v in _list(spec.get("values")) if _is_number(v)),
                default=_opt_num(spec, "default"),
            ))
        derived = tuple(
            (str(k), v) for k, v in _mapping(data.get("derived")).items() if isinstance(v, str)
        )
        return Variants(params=tuple(params), derived=derived, where=_strs(data.get("where")))

    def item(self, raw: object, path: str = "items", language: str | None = None) -> Item:
        item = self._item(raw)
        variants = self.variants(_mapping(raw).get("variants"))
        if variants is None:
            return item
        from adaptive.modules.variants import VariantError, default_values, instantiate

        variants = replace(variants, template=item)
        try:
            concrete = instantiate(item, default_values(variants), language)
        except VariantError as exc:
            where = _join(path, "variants")
            self.problems.append(Problem(self.filename, line_for(self.lines, where), where,
                                         "variant-invalid", str(exc)))
            concrete = item
        return replace(concrete, variants=variants)

    def _item(self, raw: object) -> Item:
        data = _mapping(raw)
        type_name = _str(data, "type")
        try:
            item_type: Any = ItemType(type_name)
        except ValueError:
            # Kept as the raw string so that indices and other checks still line up;
            # a module with this error is never returned to callers.
            item_type = type_name
        groups = tuple(
            AnswerGroup(
                match=self.match(_mapping(g).get("match")),
                correct=_bool(_mapping(g), "correct", False),
                feedback=_str(_mapping(g), "feedback"),
                misconception=_opt_str(_mapping(g), "misconception"),
                destination=self.destination(_mapping(g).get("destination")),
            )
            for g in _list(data.get("answer_groups"))
        )
        choices = tuple(
            Choice(id=_str(_mapping(c), "id"), text=_str(_mapping(c), "text"))
            for c in _list(data.get("choices"))
        )
        return Item(
            id=_str(data, "id"),
            type=item_type,
            skills=_strs(data.get("skills")),
            prompt=_str(data, "prompt"),
            answer_groups=groups,
            choices=choices,
            default_feedback=_str(data, "default_feedback"),
            default_destination=self.destination(data.get("default_destination")),
            hints=_strs(data.get("hints")),
            solution=_str(data, "solution"),
            difficulty=_num(data, "difficulty", 0.0),
            diagnostic=_bool(data, "diagnostic", False),
            shuffle=_bool(data, "shuffle", True),
            kind=_opt_str(data, "kind"),
        )

    def module(self, raw: object) -> Module:
        data = _mapping(raw)
        settings = self.settings(data.get("settings"))
        language = _str(data, "language", "en")
        return Module(
            id=_str(data, "id"),
            title=_str(data, "title"),
            skills=tuple(
                self.skill(s, _join("skills", i), settings)
                for i, s in enumerate(_list(data.get("skills")))
            ),
            pages=tuple(self.page(p) for p in _list(data.get("pages"))),
            items=tuple(
                self.item(i, _join("items", n), language)
                for n, i in enumerate(_list(data.get("items")))
            ),
            description=_str(data, "description"),
            estimated_minutes=_int(data, "estimated_minutes", 0) or None,
            language=language,
            schema_version=_int(data, "schema_version", SCHEMA_VERSION),
            settings=settings,
            metadata=dict(_mapping(data.get("metadata"))),
            figures=tuple(self.figure(f) for f in _list(data.get("figures"))),
            goals=tuple(self.goal(g) for g in _list(data.get("goals"))),
        )


def parse_module(
    text: str,
    filename: str = "<module>",
    translations: Mapping[str, str] | None = None,
) -> tuple[Module | None, list[Problem]]:
    """Parse and validate module text (YAML or JSON).

    ``translations`` maps the names of sibling translation files (``fractions.es.yaml``)
    to their text; they are merged with the file's own ``translations:``.
    Returns ``(module, problems)``; ``module`` is ``None`` when any problem is an
    error. Problems come sorted by line. Never raises on bad input.
    """
    data, lines, problems = read_document(text, filename)
    if data is None and problems:
        return None, problems
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        problems.append(
            Problem(filename, 1, "", "not-a-mapping", f"a module is a mapping, not a {kind}")
        )
        return None, problems
    version = data.get("schema_version")
    if _is_number(version) and version != SCHEMA_VERSION:
        # The rest of the file follows another version's rules: checking it
        # against version 1 would only produce noise.
        problems.append(
            Problem(
                filename,
                line_for(lines, "schema_version"),
                "schema_version",
                "unsupported-schema-version",
                f"schema_version {version} is not supported (this Branchwise reads "
                f"version {SCHEMA_VERSION})",
            )
        )
        return None, problems
    structural = schema_problems(data, filename, lines)
    builder = _Builder(filename, lines)
    module = builder.module(data)
    semantic = builder.problems + validate_module(module, filename, lines)
    module, translated = _with_translations(module, data, filename, lines, translations or {})
    problems = merge_problems(problems + structural, semantic) + translated
    if any(p.is_error for p in problems):
        return None, problems
    return module, problems


def build_module(data: Mapping[str, Any], filename: str = "<module>") -> Module:
    """The module as the loader builds it from ``data``, problems or not (``parse_module``
    returns no module when there is an error; the editor still lists a draft's texts)."""
    return _Builder(filename, {}).module(data)


def load_module(path: str | os.PathLike[str]) -> Module:
    """Read and validate a module file and its sibling translation files
    (``<stem>.<language>.yaml``); raise ``ModuleError`` listing every error."""
    filename = os.fspath(path)
    try:
        text = Path(filename).read_text(encoding="utf-8")
        siblings = read_sibling_translations(filename)
    except (OSError, UnicodeDecodeError) as exc:
        raise ModuleError([Problem(filename, None, "", "unreadable", str(exc))]) from exc
    module, problems = parse_module(text, filename, siblings)
    if module is None:
        raise ModuleError(problems)
    return module


def validate_text(text: str, filename: str = "<module>",
                  translations: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem (syntax, schema, semantic) of module text, sorted by line."""
    return parse_module(text, filename, translations)[1]


def validate_files(paths: Iterable[str | os.PathLike[str]]) -> list[Problem]:
    """Validate several module files; an unreadable file is one problem, not an exception.

    A module's sibling translation files are validated with it; a translation file given
    on its own is checked through its module (once, however often it is named)."""
    problems: list[Problem] = []
    done: set[str] = set()
    for path in paths:
        filename = os.fspath(path)
        base = translation_base(filename)
        if base is not None:
            filename = base
        if filename in done:
            continue
        done.add(filename)
        try:
            with open(filename, encoding="utf-8") as handle:
                text = handle.read()
            siblings = read_sibling_translations(filename)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(filename, None, "", "unreadable", str(exc)))
            continue
        problems.extend(validate_text(text, filename, siblings))
    return problems


# --- translations (docs/module-format.md, "Translations") --------------------------------

_MODULE_SUFFIXES = (".yaml", ".yml", ".json")
_SIBLING = re.compile(r"^(?P<stem>.+)\.(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)"
                      r"(?P<ext>\.ya?ml|\.json)$")


def translation_base(path: str) -> str | None:
    """For a sibling translation file ``dir/fractions.es.yaml``, its module file
    (``dir/fractions.yaml``, or .yml/.json) when that exists; else None."""
    folder, name = os.path.split(path)
    m = _SIBLING.match(name)
    if m is None:
        return None
    for ext in _MODULE_SUFFIXES:
        candidate = os.path.join(folder, m["stem"] + ext)
        if os.path.isfile(candidate):
            return candidate
    return None


def sibling_translation_paths(path: str | os.PathLike[str]) -> list[str]:
    """The translation files next to module file ``path``: ``<stem>.<language>.<ext>``."""
    filename = os.fspath(path)
    folder, name = os.path.split(filename)
    stem = os.path.splitext(name)[0]
    found = []
    for entry in sorted(os.listdir(folder or ".")):
        m = _SIBLING.match(entry)
        if m is not None and m["stem"] == stem:
            found.append(os.path.join(folder, entry))
    return found


def read_sibling_translations(path: str | os.PathLike[str]) -> dict[str, str]:
    """{file name: text} of the translation files next to module file ``path``."""
    return {p: Path(p).read_text(encoding="utf-8") for p in sibling_translation_paths(path)}


def _translation_file(
    text: str, filename: str, module: Module
) -> tuple[str | None, dict[Any, Any], list[Problem]]:
    """(language, entries, problems) of one sibling translation file."""
    from adaptive.modules.translations import LANGUAGE_TAG, read_translation
    from adaptive.modules.validate import translation_schema_problems

    data, lines, problems = read_document(text, filename)
    if data is None:
        return None, {}, problems
    if not isinstance(data, Mapping):
        problems.append(Problem(filename, 1, "", "not-a-mapping",
                                "a translation is a mapping, not a " + type(data).__name__))
        return None, {}, problems
    problems += translation_schema_problems(data, filename, lines)
    language = data.get("language")
    of = data.get("translation_of")
    if isinstance(of, str) and of != module.id:
        problems.append(Problem(filename, line_for(lines, "translation_of"), "translation_of",
                                "translation-of", f"this translates {of!r}, but the module "
                                f"is {module.id!r}"))
    if not isinstance(language, str) or not LANGUAGE_TAG.match(language):
        problems.append(Problem(filename, line_for(lines, "language") or 1, "language",
                                "translation-language", "a translation needs `language:`, "
                                "a language tag such as es or pt-BR"))
        return None, {}, problems
    if language == module.language:
        problems.append(Problem(filename, line_for(lines, "language"), "language",
                                "translation-language",
                                f"{language!r} is the module's own language"))
        return None, {}, problems
    return language, read_translation(data, filename, lines), problems


def _with_translations(
    module: Module, data: Mapping[str, Any], filename: str, lines: LineMap,
    siblings: Mapping[str, str],
) -> tuple[Module, list[Problem]]:
    """The module with its translations (the file's own and its siblings'), and their
    problems: missing, stale, unknown ... (``translations.translation_problems``)."""
    from adaptive.modules.translations import read_translation, translation_problems

    problems: list[Problem] = []
    tables: dict[str, dict[Any, Any]] = {}
    files: dict[str, str] = {}
    for sibling, text in sorted(siblings.items()):
        language, entries, found = _translation_file(text, sibling, module)
        problems += found
        if language is None:
            continue
        tables.setdefault(language, {}).update(entries)
        files[language] = sibling
    own = data.get("translations")
    for language, body in (own.items() if isinstance(own, Mapping) else ()):
        if not isinstance(body, Mapping) or not isinstance(language, str):
            continue  # the schema reports it
        path = f"translations.{language}"
        if language == module.language:
            problems.append(Problem(filename, line_for(lines, path), path,
                                    "translation-language",
                                    f"{language!r} is the module's own language"))
            continue
        # The module file's own strings win over a sibling's, string by string.
        tables.setdefault(language, {}).update(read_translation(body, filename, lines, path))
        files.setdefault(language, filename)
    if not tables:
        return module, problems
    module = replace(module, translations=tables)
    problems += translation_problems(module, filename, lines, files)
    return module, problems


# --- back to plain data ---------------------------------------------------------------


def _destination_to_data(destination: Destination) -> dict[str, str] | None:
    if destination.kind in ("page", "item") and destination.target is not None:
        return {destination.kind: destination.target}
    return None


def _match_to_data(item_type: object, match: Match) -> dict[str, Any]:
    # Only the fields of the item's type: the schema refuses the others.
    if item_type == ItemType.SINGLE_CHOICE:
        return {"choice": match.choice}
    if item_type == ItemType.MULTIPLE_CHOICE:
        return {"choices": list(match.choices)}
    if item_type == ItemType.ORDERING:
        return {"order": list(match.order)}
    if item_type == ItemType.NUMERIC:
        if match.exprs:  # an item with variants: expressions win over (absent) numbers
            exprs = dict(match.exprs)
            out = {k: exprs.get(k, getattr(match, k)) for k in ("value", "low", "high")}
            out = {k: v for k, v in out.items() if v is not None}
            if "value" in out:
                out["tolerance"] = exprs.get("tolerance", match.tolerance)
            return out
        if match.value is not None:
            return {"value": match.value, "tolerance": match.tolerance}
        return {k: v for k, v in (("low", match.low), ("high", match.high)) if v is not None}
    if item_type == ItemType.SHORT_TEXT:
        if match.mode == "regex":
            return {"mode": "regex", "pattern": match.pattern}
        return {"text": match.text, "mode": match.mode}
    return {}


def _group_to_data(item_type: object, group: AnswerGroup) -> dict[str, Any]:
    data: dict[str, Any] = {"match": _match_to_data(item_type, group.match)}
    data["correct"] = group.correct
    if group.feedback:
        data["feedback"] = group.feedback
    if group.misconception is not None:
        data["misconception"] = group.misconception
    destination = _destination_to_data(group.destination)
    if destination:
        data["destination"] = destination
    return data


def _variants_to_data(variants: Variants) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for p in variants.params:
        spec: dict[str, Any] = {}
        if p.values:
            spec["values"] = list(p.values)
        else:
            spec.update({"min": p.low, "max": p.high})
            if p.step != 1:
                spec["step"] = p.step
        if p.default is not None:
            spec["default"] = p.default
        params[p.name] = spec
    data: dict[str, Any] = {"params": params}
    if variants.derived:
        data["derived"] = dict(variants.derived)
    if variants.where:
        data["where"] = list(variants.where)
    return data


def _item_to_data(item: Item) -> dict[str, Any]:
    if item.variants is not None and item.variants.template is not None:
        # The item as written (placeholders, expressions), not its instance at the defaults.
        written = _item_to_data(replace(item.variants.template, variants=None))
        written["variants"] = _variants_to_data(item.variants)
        return written
    data: dict[str, Any] = {
        "id": item.id,
        "type": str(item.type),
        "skills": list(item.skills),
        "prompt": item.prompt,
    }
    if item.choices:
        data["choices"] = [{"id": c.id, "text": c.text} for c in item.choices]
    data["answer_groups"] = [_group_to_data(item.type, g) for g in item.answer_groups]
    if item.default_feedback:
        data["default_feedback"] = item.default_feedback
    destination = _destination_to_data(item.default_destination)
    if destination:
        data["default_destination"] = destination
    if item.hints:
        data["hints"] = list(item.hints)
    if item.solution:
        data["solution"] = item.solution
    data["difficulty"] = item.difficulty
    data["diagnostic"] = item.diagnostic
    data["shuffle"] = item.shuffle
    if item.kind is not None:
        data["kind"] = item.kind
    return data


def _skill_to_data(skill: Skill) -> dict[str, Any]:
    data: dict[str, Any] = {"id": skill.id, "title": skill.title}
    if skill.description:
        data["description"] = skill.description
    data["prerequisites"] = list(skill.prerequisites)
    if skill.lesson is not None:
        data["lesson"] = skill.lesson
    data["graded"] = skill.graded
    data["target"] = skill.target
    if skill.bkt is not None:
        data["bkt"] = skill.bkt.to_dict()  # complete, so it does not depend on settings.bkt
    if skill.resources:
        data["resources"] = [
            {k: v for k, v in (("kind", r.kind), ("title", r.title), ("url", r.url),
                               ("description", r.description)) if v or k in ("kind", "title")}
            for r in skill.resources
        ]
    return data


def _page_to_data(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {"id": page.id, "title": page.title}
    if page.skill is not None:
        data["skill"] = page.skill
    data["kind"] = page.kind
    data["body"] = page.body
    return data


def module_to_dict(module: Module) -> dict[str, Any]:
    """The module as plain data in the file format; ``parse_module`` of its YAML
    or JSON dump gives back an equal module."""
    data: dict[str, Any] = {
        "schema_version": module.schema_version,
        "id": module.id,
        "title": module.title,
    }
    if module.description:
        data["description"] = module.description
    if module.estimated_minutes is not None:
        data["estimated_minutes"] = module.estimated_minutes
    data["language"] = module.language
    data["settings"] = {
        "mastery_threshold": module.settings.mastery_threshold,
        "practice_cap": module.settings.practice_cap,
        "diagnostic_items": module.settings.diagnostic_items,
        "bkt": module.settings.bkt.to_dict(),
        "half_life_days": module.settings.half_life_days,
    }
    # Keys starting with "_" are the module's own lookup caches, not authored data.
    metadata = {k: v for k, v in module.metadata.items() if not k.startswith("_")}
    if metadata:
        data["metadata"] = metadata
    data["skills"] = [_skill_to_data(s) for s in module.skills]
    data["pages"] = [_page_to_data(p) for p in module.pages]
    data["items"] = [_item_to_data(i) for i in module.items]
    if module.figures:
        data["figures"] = [_figure_to_data(f) for f in module.figures]
    if module.goals:
        data["goals"] = [
            {"id": g.id, "title": g.title, "skills": list(g.skills),
             **({"description": g.description} if g.description else {})}
            for g in module.goals
        ]
    if module.translations:
        # Sibling files' strings come along in the file's own form, so a copy keeps them.
        data["translations"] = {lang: translation_to_data(table)
                                for lang, table in sorted(module.translations.items())}
    return data


def translation_to_data(table: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """One language's translations (flat, by key) as the nested body of the file format."""
    from adaptive.modules.translations import is_rule_key, translation_leaf

    body: dict[str, Any] = {}
    for key, entry in table.items():
        node = body
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = translation_leaf(entry, is_rule_key(key))
    return body


def _figure_to_data(figure: Figure) -> dict[str, Any]:
    data: dict[str, Any] = {"id": figure.id, "alt": figure.alt}
    if figure.caption:
        data["caption"] = figure.caption
    data["svg" if figure.media_type == "image/svg+xml" else "png"] = figure.data
    return data
