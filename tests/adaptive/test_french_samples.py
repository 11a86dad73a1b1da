"""The samples in French (issue 16.2, third language): ``adaptive/samples/<id>.fr.yaml``.

Two kinds of checks:

* on the files as plain YAML: each French file is a translation of its sample, every
  string's ``source`` hash matches the English original it translates (nothing stale), and
  math, ``{{…}}`` placeholders, ``figure:`` references and code spans are kept;
* through the translation loader (``adaptive.modules.translations``): the validator reports
  no missing/stale/unknown French string, a fr-CA learner is given French, and French
  short-text answers are accepted.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from adaptive.modules import translations as t

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "adaptive" / "samples"
SAMPLES = ["fractions", "statistics-basics", "security-awareness"]
def _source_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]


def _by_id(rows: list[dict], key: str) -> dict:
    return next(r for r in rows if r["id"] == key)


def _original(module: dict, path: tuple[str, ...]) -> Any:
    """The English text (or short-text rule) a French entry at ``path`` translates."""
    head, *rest = path
    if head in ("title", "description") and not rest:
        return module[head]
    node = _by_id(module[head], rest[0])
    field, *more = rest[1:]
    if head == "skills" and field == "resources":
        return node["resources"][int(more[0])][more[1]]
    if head == "items" and field == "choices":
        return _by_id(node["choices"], more[0])["text"]
    if head == "items" and field == "hints":
        return node["hints"][int(more[0])]
    if head == "items" and field == "answer_groups":
        group = node["answer_groups"][int(more[0])]
        if more[1] == "match":
            return group["match"]
        return group[more[1]]
    return node[field]


def _leaves(node: dict, path: tuple[str, ...] = ()):
    for key, value in node.items():
        here = (*path, str(key))
        if isinstance(value, dict) and ("source" in value or "text" in value
                                        or "pattern" in value):
            yield here, value
        elif isinstance(value, dict):
            yield from _leaves(value, here)


def _load(sample: str) -> tuple[dict, dict]:
    english = yaml.safe_load((SAMPLES_DIR / f"{sample}.yaml").read_text(encoding="utf-8"))
    french = yaml.safe_load((SAMPLES_DIR / f"{sample}.fr.yaml").read_text(encoding="utf-8"))
    return english, french


# Kept as written: placeholders, figure references, code spans without words (`4/7`, `a/b`;
# a code span that is a word to type, `mean`, is translated).
_KEPT = [re.compile(r"\{\{\s*\w+\s*\}\}"), re.compile(r"figure:[\w-]+"),
         re.compile(r"`[^`a-zA-Z]*`")]


@pytest.mark.parametrize("sample", SAMPLES)
def test_french_file_is_a_fresh_translation_of_its_sample(sample):
    english, french = _load(sample)
    assert french["translation_of"] == english["id"] and french["language"] == "fr"
    body = {k: v for k, v in french.items() if k not in ("translation_of", "language")}
    leaves = list(_leaves(body))
    assert len(leaves) > 150
    for path, leaf in leaves:
        where = ".".join(path)
        original = _original(english, path)
        if isinstance(original, dict):  # a short-text rule: hash of its text or pattern
            rule = original.get("pattern") if original.get("mode") == "regex" else original["text"]
            assert leaf["source"] == _source_hash(rule), where
            assert leaf.get("pattern") or leaf.get("text"), where
            if leaf.get("pattern"):
                re.compile(leaf["pattern"])
            continue
        assert leaf["source"] == _source_hash(original), f"stale: {where}"
        text = leaf["text"]
        assert text.strip(), where
        assert text.count("$") == original.count("$"), f"math changed: {where}"
        for kept in _KEPT:
            assert kept.findall(text) == kept.findall(original), f"{kept.pattern}: {where}"


@pytest.mark.parametrize("sample", SAMPLES)
def test_validator_finds_french_complete(sample):
    from adaptive.modules import validate_files

    problems = validate_files([str(SAMPLES_DIR / f"{sample}.yaml")])
    french = [p for p in problems if p.code.startswith("translation")
              and ("fr" in p.message.split() or p.file.endswith(".fr.yaml"))]
    assert french == [], "\n".join(f"{p.file}:{p.line}: {p.path}: {p.message}" for p in french)


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_french_learner_gets_french_with_the_same_ids(sample):
    from adaptive.samples import load_sample

    module = load_sample(sample)
    assert "fr" in t.languages(module)
    assert t.pick_language("fr-CA", t.languages(module), module.language) == "fr"
    french = t.localise(module, "fr")
    assert [i.id for i in french.items] == [i.id for i in module.items]
    _, raw = _load(sample)
    for item in french.items[:5]:
        entry = raw.get("items", {}).get(item.id, {}).get("prompt")
        if entry:
            assert item.prompt == entry["text"]
    page = french.pages[0]
    assert page.title == raw["pages"][page.id]["title"]["text"] != module.pages[0].title


@pytest.mark.parametrize(("sample", "item_id", "answer"), [
    ("statistics-basics", "ce-6", "médiane"),
    ("statistics-basics", "ce-6", "la Mediane"),
    ("statistics-basics", "di-7", "bimodale"),
    ("security-awareness", "pw-5", "bourrage d'identifiants"),
    ("fractions", "cd-4", "3/18 et 8/18"),
])
def test_french_short_answers_are_accepted(sample, item_id, answer):
    from adaptive.grading.answers import evaluate_answer
    from adaptive.samples import load_sample

    item = t.localise(load_sample(sample), "fr").item(item_id)
    result = evaluate_answer(item, answer, "fr")
    assert result.correct, (item_id, answer)
