"""Validation of module files: JSON Schema (structure) and semantic checks.

Every check reports *all* its problems, each with file, line and a path such as
``items[3].answer_groups[0].match.pattern``, so an author fixes a module in one
pass. Errors make a module unusable; warnings are shown but do not block it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import jsonschema

from adaptive.modules.figures import check_figures
from adaptive.modules.format import (
    SCHEMA_VERSION,
    THINKING_KINDS,
    Destination,
    Item,
    ItemType,
    Module,
)
from adaptive.modules.patterns import PatternError, backtracking_risk, compile_pattern
from adaptive.modules.problems import ERROR, WARNING, Problem
from adaptive.modules.validate_variants import check_variants

__all__ = [
    "SCHEMA_ID",
    "format_problems",
    "line_for",
    "merge_problems",
    "module_schema",
    "schema_problems",
    "validate_module",
]

SCHEMA_ID = "https://branchwise.example/schema/module-1.json"

_CHOICE_TYPES = (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.ORDERING)


def line_for(lines: Mapping[str, int] | None, path: str) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    if not lines:
        return None
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        # Drop the last segment: "a.b[2]" -> "a.b" -> "a" -> "".
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""


def safe_resource_url(url: str) -> bool:
    """https:// to another site, or a relative path here; never javascript:, data:, http:.

    >>> [safe_resource_url(u) for u in ("https://x.org/a", "/static/r.pdf", "javascript:x",
    ...                                  "//evil.test", "http://x.org", "data:text/html,x")]
    [True, True, False, False, False, False]
    """
    url = url.strip()
    if any(ord(c) < 33 for c in url) or "\\" in url:
        return False  # control characters or backslashes can smuggle a scheme past browsers
    if url.lower().startswith("https://"):
        return len(url) > len("https://")
    if url.startswith("//"):
        return False  # protocol-relative: another site, maybe over http
    first = re.split(r"[/?#]", url, maxsplit=1)[0]
    return ":" not in first  # a relative path has no scheme


def _covers(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith((outer + ".", outer + "["))


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def merge_problems(structural: list[Problem], semantic: list[Problem]) -> list[Problem]:
    """Combine schema and semantic problems, sorted by line.

    A semantic problem at or under a path the schema already flagged is dropped:
    it is almost always a consequence (an item that is not a mapping has no
    correct answer group either) and would only bury the real cause.
    """
    flagged = [p.path for p in structural if p.path]
    # "'choice' is required" at match.choice already says what "the rule needs
    # 'choice'" at match would say.
    parents = {_parent(p.path) for p in structural if p.code == "schema-required"}
    kept = [
        p
        for p in semantic
        if p.path not in parents and not any(_covers(f, p.path) for f in flagged)
    ]
    seen: set[tuple[str, str, str]] = set()
    merged: list[Problem] = []
    for problem in structural + kept:
        key = (problem.path, problem.code, problem.message)
        if key not in seen:
            seen.add(key)
            merged.append(problem)
    # Stable sort: problems without a line (whole-file) first, then by line.
    return sorted(merged, key=lambda p: p.line or 0)


# --- JSON Schema ----------------------------------------------------------------------


@functools.cache
def module_schema() -> dict[str, Any]:
    """The published JSON Schema of a module file (draft 2020-12)."""
    text = resources.files("adaptive.modules").joinpath("module.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(module_schema())


def _path_of(parts: Iterable[object]) -> str:
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _schema_error_problems(
    error: jsonschema.ValidationError, filename: str, lines: Mapping[str, int] | None
) -> list[Problem]:
    path = _path_of(error.absolute_path)
    code = f"schema-{_kebab(str(error.validator))}"
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        # One problem per unexpected key, on the key's own line.
        schema = error.schema  # the schema object that failed: a mapping for this keyword
        allowed = set(schema.get("properties", {})) if isinstance(schema, Mapping) else set()
        problems = []
        for key in instance:
            if key not in allowed:
                where = _path_of([*error.absolute_path, key])
                problems.append(
                    Problem(filename, line_for(lines, where), where, code, f"unknown key {key!r}")
                )
        return problems
    if error.validator == "required" and isinstance(instance, Mapping):
        # Point at the missing key (its parent's line), so semantic checks of the
        # rest of that object are not suppressed by merge_problems.
        value = error.validator_value  # the keyword's value: the list of required keys
        required = value if isinstance(value, list) else []
        missing = [k for k in required if k not in instance]
        line = line_for(lines, path)
        return [
            Problem(
                filename, line, _path_of([*error.absolute_path, key]), code, f"{key!r} is required"
            )
            for key in missing
        ]
    message = error.message
    if len(message) > 200:  # messages quote the whole instance; a page body is long
        message = message[:197] + "..."
    return [Problem(filename, line_for(lines, path), path, code, message)]


@functools.cache
def _translation_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("adaptive.modules").joinpath("translation.schema.json")
    return jsonschema.Draft202012Validator(json.loads(text.read_text("utf-8")))


def translation_schema_problems(
    data: object, filename: str, lines: Mapping[str, int] | None = None
) -> list[Problem]:
    """JSON Schema violations of a sibling translation file (translation.schema.json)."""
    problems: list[Problem] = []
    for error in _translation_validator().iter_errors(data):
        problems.extend(_schema_error_problems(error, filename, lines))
    return problems


def schema_problems(
    data: object, filename: str = "<module>", lines: Mapping[str, int] | None = None
) -> list[Problem]:
    """Every JSON Schema violation of ``data`` (parsed file content) as Problems."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_schema_error_problems(error, filename, lines))
    return problems


# --- semantic checks ------------------------------------------------------------------


class _Checker:
    def __init__(self, module: Module, filename: str, lines: Mapping[str, int] | None) -> None:
        self.module = module
        self.filename = filename
        self.lines = lines
        self.problems: list[Problem] = []
        self.skill_ids = {s.id for s in module.skills}
        self.page_ids = {p.id for p in module.pages}
        self.item_ids = {i.id for i in module.items}

    def report(self, path: str, code: str, message: str, severity: str = ERROR) -> None:
        line = line_for(self.lines, path)
        self.problems.append(Problem(self.filename, line, path, code, message, severity))

    def _check_pattern(self, path: str, pattern: str) -> None:
        """Answers are matched with RE2 (adaptive.grading.patterns): the pattern must
        compile there, and shapes that backtrack catastrophically are refused too."""
        try:
            re.compile(pattern)
        except re.error as exc:
            self.report(path, "bad-regex", f"invalid regex: {exc}")
            return
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            self.report(path, "bad-regex", "this regex uses a feature answer matching does "
                        f"not support (look-around, back-references): {exc}")
            return
        risk = backtracking_risk(pattern)
        if risk:
            self.report(path, "regex-backtracking",
                        f"{risk}; rewrite it so each part can match in only one way")

    def run(self) -> list[Problem]:
        if self.module.schema_version != SCHEMA_VERSION:
            self.report(
                "schema_version",
                "unsupported-schema-version",
                f"schema_version {self.module.schema_version} is not supported "
                f"(expected {SCHEMA_VERSION})",
            )
            return self.problems
        self.check_settings()
        self.check_duplicates()
        self.check_skills()
        self.check_cycles()
        self.check_pages()
        check_figures(self.module, self.report)
        for index, item in enumerate(self.module.items):
            self.check_item(item, f"items[{index}]")
            check_variants(item, f"items[{index}]", self.report)
        self.check_coverage()
        self.check_reachability()
        self.check_guess_floor()
        self.check_guessable_skills()
        return self.problems

    def check_settings(self) -> None:
        settings = self.module.settings
        if not 0.5 < settings.mastery_threshold < 1.0:
            self.report(
                "settings.mastery_threshold",
                "mastery-threshold-range",
                f"mastery_threshold must be between 0.5 and 1 (exclusive), "
                f"got {settings.mastery_threshold}",
            )
        if settings.practice_cap < 1:
            self.report(
                "settings.practice_cap",
                "practice-cap-range",
                f"practice_cap must be at least 1, got {settings.practice_cap}",
            )
        if settings.diagnostic_items < 0:
            self.report(
                "settings.diagnostic_items",
                "diagnostic-items-range",
                f"diagnostic_items cannot be negative, got {settings.diagnostic_items}",
            )
        bkts = [("settings.bkt", settings.bkt)] + [
            (f"skills[{i}].bkt", s.bkt) for i, s in enumerate(self.module.skills) if s.bkt
        ]
        for path, bkt in bkts:
            for name in ("guess", "slip"):
                if getattr(bkt, name) >= 0.5:  # only reachable for hand-built objects
                    self.report(f"{path}.{name}", "bkt-guess-slip", f"BKT {name} must be < 0.5")

    def check_guess_floor(self) -> None:
        """Warn when a BKT guess is below the chance rate of most choice items it applies to.

        The engine raises the guess to each item's chance rate anyway (1/n for single choice,
        ``adaptive.mastery.chance``), so a lucky click never counts as knowing the skill. A
        guess set for the module's typed answers (short text, numbers), with a minority of
        choice items lifted to their chance rate, is deliberate; a guess below the chance
        rate of half or more of its items says something the engine will not do."""
        from adaptive.mastery.chance import chance_rate

        # bkt path -> (guess, items it applies to, items below chance, worst item and rate)
        paths: dict[str, list[Any]] = {}
        for item in self.module.items:
            rate = chance_rate(item)
            for sid in item.skills:
                try:
                    skill = self.module.skill(sid)
                except KeyError:
                    continue  # an unknown skill is reported elsewhere
                index = self.module.skills.index(skill)
                path = f"skills[{index}].bkt.guess" if skill.bkt else "settings.bkt.guess"
                guess = (skill.bkt or self.module.settings.bkt).guess
                entry = paths.setdefault(path, [guess, set(), set(), ("", 0.0)])
                entry[1].add(item.id)
                if rate > guess:
                    entry[2].add(item.id)
                    if rate > entry[3][1]:
                        entry[3] = (item.id, rate)
        for path, (guess, items, below, (item_id, rate)) in sorted(paths.items()):
            if below and 2 * len(below) >= len(items):
                self.report(
                    path,
                    "bkt-guess-below-chance",
                    f"BKT guess {guess:g} is below the chance rate of {len(below)} of the "
                    f"{len(items)} items it applies to (item {item_id!r}: {rate:.3g}, a random "
                    "answer is right that often); Branchwise uses the chance rate for such "
                    "items — set guess to at least it",
                    WARNING,
                )

    def check_guessable_skills(self) -> None:
        """Warn when every item of a graded skill can be got right by a random click at
        least one time in five (true/false, or single choice of up to five choices).

        The engine weighs such answers at their chance rate, but a learner who guesses
        still gets runs of right answers, and with nothing else to answer some are awarded
        the skill: on an imported quiz of only such items, 4-15 % of guessing learners per
        skill (``bench/guessing_learner.py``, docs/benchmarks.md "Guessing learner"); the
        samples mix in typed and select-all items and stay under 1 %."""
        from adaptive.mastery.chance import chance_rate

        for index, skill in enumerate(self.module.skills):
            items = [i for i in self.module.items if i.skills and i.primary_skill == skill.id]
            if not skill.graded or len(items) < 2:
                continue
            rates = [chance_rate(i) for i in items]
            if min(rates) < 0.2:
                continue
            least, most = round(1 / min(rates)), round(1 / max(rates))
            often = f"{least}" if least == most else f"{least} (up to 1 in {most})"
            self.report(
                f"skills[{index}]",
                "guessable-skill",
                f"every one of the {len(items)} items of skill {skill.id!r} is answered right "
                f"by a random click at least 1 time in {often}: a learner who guesses can be "
                "awarded it (on an imported quiz of such items, 4-15 % of guessing learners "
                "were); add items with typed "
                "answers (numeric, short text) or select-all items, which a guess almost never "
                "gets right",
                WARNING,
            )

    def _duplicates(self, ids: list[str], path: str, what: str) -> None:
        first: dict[str, int] = {}
        for index, ident in enumerate(ids):
            if not ident:
                continue  # a missing id is the schema's to report
            if ident in first:
                where = f"{path}[{index}].id"
                earlier = line_for(self.lines, f"{path}[{first[ident]}].id")
                also = f" (first on line {earlier})" if earlier else ""
                self.report(where, "duplicate-id", f"duplicate {what} id {ident!r}{also}")
            else:
                first[ident] = index

    def check_duplicates(self) -> None:
        module = self.module
        self._duplicates([s.id for s in module.skills], "skills", "skill")
        self._duplicates([p.id for p in module.pages], "pages", "page")
        self._duplicates([i.id for i in module.items], "items", "item")
        self._duplicates([g.id for g in module.goals], "goals", "goal")
        for index, item in enumerate(module.items):
            self._duplicates([c.id for c in item.choices], f"items[{index}].choices", "choice")

    def _skill_ref(self, skill_id: str, path: str) -> None:
        if skill_id and skill_id not in self.skill_ids:
            self.report(path, "unknown-skill", f"unknown skill {skill_id!r}")

    def check_skills(self) -> None:
        for index, skill in enumerate(self.module.skills):
            path = f"skills[{index}]"
            for p_index, prerequisite in enumerate(skill.prerequisites):
                self._skill_ref(prerequisite, f"{path}.prerequisites[{p_index}]")
            if skill.lesson is not None and skill.lesson not in self.page_ids:
                self.report(f"{path}.lesson", "unknown-page", f"unknown page {skill.lesson!r}")
            for r_index, resource in enumerate(skill.resources):
                where = f"{path}.resources[{r_index}]"
                if resource.url and not safe_resource_url(resource.url):
                    self.report(f"{where}.url", "unsafe-resource-url",
                                f"resource url must be https:// or a path on this site, "
                                f"got {resource.url[:80]!r}")
                if not resource.url and not resource.description.strip():
                    self.report(where, "empty-resource",
                                "a resource needs a url or a description")
        for index, goal in enumerate(self.module.goals):
            for s_index, skill_id in enumerate(goal.skills):
                self._skill_ref(skill_id, f"goals[{index}].skills[{s_index}]")

    def check_cycles(self) -> None:
        skills = self.module.skills
        index_of: dict[str, int] = {}
        for index, skill in enumerate(skills):
            index_of.setdefault(skill.id, index)  # a duplicate id is reported elsewhere
        graph = {
            ident: [p for p in skills[index].prerequisites if p in index_of]
            for ident, index in index_of.items()
        }
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        stack: list[str] = []
        reported: set[tuple[str, ...]] = set()

        def visit(node: str) -> None:
            state[node] = 1
            stack.append(node)
            for prerequisite in graph[node]:
                if state.get(prerequisite) == 1:
                    cycle = stack[stack.index(prerequisite) :]
                    # Rotate so the same cycle found from another start reports once.
                    start = cycle.index(min(cycle))
                    key = tuple(cycle[start:] + cycle[:start])
                    if key not in reported:
                        reported.add(key)
                        where = (
                            f"skills[{index_of[node]}].prerequisites"
                            f"[{skills[index_of[node]].prerequisites.index(prerequisite)}]"
                        )
                        shown = " → ".join([*cycle, prerequisite])
                        self.report(where, "prerequisite-cycle", f"prerequisite cycle: {shown}")
                elif prerequisite not in state:
                    visit(prerequisite)
            stack.pop()
            state[node] = 2

        for ident in index_of:
            if ident not in state:
                visit(ident)

    def check_pages(self) -> None:
        for index, page in enumerate(self.module.pages):
            if page.skill is not None:
                self._skill_ref(page.skill, f"pages[{index}].skill")
            if page.kind not in ("lesson", "remediation"):
                self.report(f"pages[{index}].kind", "page-kind", f"unknown page kind {page.kind!r}")

    def _destination(self, destination: Destination, path: str) -> None:
        if destination.kind == "next":
            return
        known = {"page": self.page_ids, "item": self.item_ids}.get(destination.kind)
        if known is None:
            self.report(path, "bad-destination", f"unknown destination kind {destination.kind!r}")
        elif destination.target not in known:
            self.report(
                f"{path}.{destination.kind}",
                "dangling-destination",
                f"destination {destination.kind} {destination.target!r} does not exist",
            )

    def _choice_ref(self, item: Item, choice_id: str | None, path: str) -> None:
        if choice_id is not None and choice_id not in {c.id for c in item.choices}:
            self.report(path, "unknown-choice", f"item {item.id!r} has no choice {choice_id!r}")

    def check_item(self, item: Item, path: str) -> None:
        for s_index, skill_id in enumerate(item.skills):
            self._skill_ref(skill_id, f"{path}.skills[{s_index}]")
        self._destination(item.default_destination, f"{path}.default_destination")
        if item.kind is not None and item.kind not in THINKING_KINDS:
            # The schema says so for files; this covers modules built in code (importers).
            self.report(f"{path}.kind", "unknown-kind", f"unknown kind {item.kind!r}; use one "
                        f"of {', '.join(THINKING_KINDS)} (docs/module-format.md)")
        if item.answer_groups and not any(g.correct for g in item.answer_groups):
            self.report(
                f"{path}.answer_groups",
                "no-correct-group",
                "no answer group is marked correct, so no answer can ever be right",
            )
        elif not item.answer_groups:
            self.report(
                f"{path}.answer_groups", "no-correct-group", "the item has no answer groups"
            )
        if item.type not in tuple(ItemType):
            return  # the schema reports the unknown type; type rules cannot apply
        if item.type in _CHOICE_TYPES and len(item.choices) < 2:
            self.report(
                f"{path}.choices",
                "too-few-choices",
                f"a {item.type} item needs at least 2 choices, it has {len(item.choices)}",
            )
        earlier = []
        for g_index, group in enumerate(item.answer_groups):
            group_path = f"{path}.answer_groups[{g_index}]"
            self._destination(group.destination, f"{group_path}.destination")
            self.check_match(item, group.match, f"{group_path}.match")
            if group.correct and group.misconception:
                self.report(
                    f"{group_path}.misconception",
                    "misconception-on-correct",
                    "a misconception tag on a correct group is never recorded",
                    WARNING,
                )
            if group.match in earlier:
                self.report(
                    f"{group_path}.match",
                    "shadowed-group",
                    "an earlier answer group has the same rule, so this one never matches",
                    WARNING,
                )
            earlier.append(group.match)

    def check_match(self, item: Item, match: Any, path: str) -> None:
        kind = item.type
        if kind == ItemType.SINGLE_CHOICE:
            if match.choice is None:
                self.report(path, "rule-missing", "a single_choice rule needs 'choice'")
            self._choice_ref(item, match.choice, f"{path}.choice")
        elif kind == ItemType.MULTIPLE_CHOICE:
            for c_index, choice_id in enumerate(match.choices):
                self._choice_ref(item, choice_id, f"{path}.choices[{c_index}]")
        elif kind == ItemType.ORDERING:
            known = {c.id for c in item.choices}
            for c_index, choice_id in enumerate(match.order):
                self._choice_ref(item, choice_id, f"{path}.order[{c_index}]")
            # Only when every id is known: an unknown one is already reported above.
            if set(match.order) <= known and sorted(match.order) != sorted(known):
                self.report(
                    f"{path}.order",
                    "order-incomplete",
                    "an ordering rule must list every choice exactly once",
                )
        elif kind == ItemType.NUMERIC:
            if match.value is None and match.low is None and match.high is None:
                self.report(
                    path, "numeric-rule-missing", "a numeric rule needs 'value' or 'low'/'high'"
                )
            elif match.value is None and match.low is not None and match.high is not None:
                if match.low > match.high:
                    self.report(
                        f"{path}.low",
                        "numeric-range-inverted",
                        f"low ({match.low}) is greater than high ({match.high})",
                    )
            elif match.value is not None and (match.low is not None or match.high is not None):
                self.report(
                    path,
                    "numeric-rule-mixed",
                    "'value' is used and 'low'/'high' are ignored",
                    WARNING,
                )
            if match.tolerance < 0:
                self.report(
                    f"{path}.tolerance", "numeric-tolerance", "tolerance cannot be negative"
                )
        elif kind == ItemType.SHORT_TEXT:
            if match.mode == "regex":
                if match.pattern is None:
                    self.report(path, "text-rule-missing", "a regex rule needs 'pattern'")
                else:
                    self._check_pattern(f"{path}.pattern", match.pattern)
            elif match.mode in ("exact", "normalised"):
                if match.text is None:
                    self.report(path, "text-rule-missing", f"a {match.mode} rule needs 'text'")
            else:
                self.report(f"{path}.mode", "text-mode", f"unknown mode {match.mode!r}")

    def check_coverage(self) -> None:
        module = self.module
        wanted = module.settings.diagnostic_items
        seen: set[str] = set()
        for index, skill in enumerate(module.skills):
            if not skill.id or skill.id in seen:
                continue  # missing or duplicate ids are reported on their own
            seen.add(skill.id)
            items = module.items_for(skill.id)
            if not items:
                self.report(
                    f"skills[{index}]",
                    "skill-without-items",
                    f"skill {skill.id!r} is not the first (primary) skill of any item, "
                    "so it can never be practised",
                )
                continue
            diagnostic = sum(1 for i in items if i.diagnostic)
            if skill.target and diagnostic < wanted:
                self.report(
                    f"skills[{index}]",
                    "few-diagnostic-items",
                    f"target skill {skill.id!r} has {diagnostic} diagnostic item(s), "
                    f"settings.diagnostic_items asks for {wanted}",
                    WARNING,
                )

    def check_reachability(self) -> None:
        module = self.module
        targets = {s.lesson for s in module.skills if s.lesson}
        for item in module.items:
            for destination in [item.default_destination] + [
                g.destination for g in item.answer_groups
            ]:
                if destination.kind == "page" and destination.target is not None:
                    targets.add(destination.target)
        for index, page in enumerate(module.pages):
            if page.kind == "remediation" and page.id and page.id not in targets:
                self.report(
                    f"pages[{index}]",
                    "unreachable-page",
                    f"remediation page {page.id!r} is not the destination of any answer "
                    "group nor a skill's lesson",
                    WARNING,
                )


def validate_module(
    module: Module, filename: str = "<module>", lines: Mapping[str, int] | None = None
) -> list[Problem]:
    """Semantic checks of a built module; ``lines`` maps paths to lines for the report."""
    return _Checker(module, filename, lines).run()


def format_problems(problems: Iterable[Problem]) -> str:
    """One line per problem (warnings marked), then a summary line, for the CLI."""
    problems = list(problems)
    out = []
    for problem in problems:
        marker = "warning: " if problem.severity == WARNING else ""
        out.append(f"{marker}{problem}")
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    out.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(out)
