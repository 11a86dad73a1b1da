"""One module, several languages: reading, validating, localising and grading translations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from adaptive.grading import evaluate_answer
from adaptive.grading.answers import parse_number
from adaptive.modules.loader import (
    load_module,
    module_to_dict,
    parse_module,
    read_sibling_translations,
    validate_files,
)
from adaptive.modules.translation_files import translation_yaml
from adaptive.modules.translations import (
    languages,
    localise,
    needs_translation,
    pick_language,
    source_hash,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "modules" / "translated"
MINI = FIXTURES / "mini.yaml"
MINI_ES = FIXTURES / "mini.es.yaml"
SCHEMAS = Path(__file__).resolve().parents[2] / "adaptive" / "modules"


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def mini():
    return load_module(MINI)


def test_source_hash_is_short_and_ignores_surrounding_whitespace() -> None:
    assert source_hash("Halves") == source_hash("  Halves\n")
    assert source_hash("Halves") != source_hash("halves")
    assert len(source_hash("x")) == 8 and int(source_hash("x"), 16) >= 0


def test_sibling_file_is_merged_and_keeps_ids(mini) -> None:
    assert languages(mini) == ("en", "es")
    es = localise(mini, "es")
    assert es.language == "es" and es.title == "Mitades"
    assert [i.id for i in es.items] == [i.id for i in mini.items]
    assert [s.id for s in es.skills] == ["halves"]
    h3 = es.item("h-3")
    assert [c.id for c in h3.choices] == ["a", "b"]
    assert h3.choices[0].text == "La mitad"
    # Missing on purpose: this one string falls back to English.
    assert h3.choices[1].text == "A third"
    assert es.page("halves-intro").body.startswith("Una **mitad**")
    assert es.skill("halves").resources[0].title == "Ejemplo resuelto: la mitad de 3"
    assert es.item("h-1").hints == ("Corta un entero en dos partes iguales.",)
    # The English module is untouched, and asking again gives the cached object.
    assert mini.title == "Halves" and localise(mini, "es") is es
    assert localise(mini, "en") is mini and localise(mini, "de") is mini


def test_validator_reports_missing_and_stale_with_file_and_line() -> None:
    problems = validate_files([MINI])
    by_code = {p.code: p for p in problems}
    assert sorted(by_code) == ["translation-missing", "translation-stale"]
    missing = by_code["translation-missing"]
    assert missing.file == str(MINI) and not missing.is_error
    assert missing.line == _line_of(MINI, "{id: b, text: A third}")
    assert missing.path == "items[2].choices[1].text"
    assert "items.h-3.choices.b" in missing.message and "mini.es.yaml" in missing.message
    stale = by_code["translation-stale"]
    assert stale.file == str(MINI_ES)
    assert stale.line == _line_of(MINI_ES, "text: Divide 1 entre 2.") - 1
    assert stale.path == "items.h-1.default_feedback"
    # Naming the translation file validates it through its module, once.
    assert validate_files([MINI_ES, MINI]) == problems


def test_a_fixed_translation_is_clean(tmp_path) -> None:
    (tmp_path / "mini.yaml").write_text(MINI.read_text("utf-8"), "utf-8")
    (tmp_path / "mini.es.yaml").write_text(MINI_ES.read_text("utf-8"), "utf-8")
    module = load_module(tmp_path / "mini.yaml")
    table = dict(module.translations["es"])
    table.pop(("items", "h-1", "default_feedback"))
    text = translation_yaml(module, "es", table, stamp=True, blanks=True)
    (tmp_path / "mini.es.yaml").write_text(text, "utf-8")
    problems = validate_files([tmp_path / "mini.yaml"])
    # The two strings written blank by the template are missing until filled in ...
    assert sorted(p.path for p in problems) == ["items[0].default_feedback",
                                                 "items[2].choices[1].text"]
    filled = text.replace('text: ""', "text: Rellenado").replace("text: ''", "text: Rellenado")
    (tmp_path / "mini.es.yaml").write_text(filled, "utf-8")
    assert validate_files([tmp_path / "mini.yaml"]) == []


def test_template_round_trips_every_string(mini) -> None:
    text = translation_yaml(mini, "es", mini.translations["es"], blanks=False)
    module, problems = parse_module(MINI.read_text("utf-8"), str(MINI), {"x.es.yaml": text})
    assert module is not None
    assert {k: (e.text, e.source, e.also) for k, e in module.translations["es"].items()} == {
        k: (e.text, e.source, e.also) for k, e in mini.translations["es"].items()}


def test_translations_in_the_module_file_win_per_string() -> None:
    data = yaml.safe_load(MINI.read_text("utf-8"))
    data["translations"] = {"es": {"title": {"text": "Medios", "source": source_hash("Halves")},
                                   "items": {"h-3": {"choices": {"b": "Un tercio"}}}}}
    text = json.dumps(data)
    module, problems = parse_module(text, "mini.json", read_sibling_translations(MINI))
    assert module is not None
    es = localise(module, "es")
    assert es.title == "Medios"  # the file's own string wins over the sibling's
    assert es.item("h-3").choices[1].text == "Un tercio"
    assert es.item("h-1").prompt.startswith("¿Cuánto es")  # still from the sibling
    codes = sorted(p.code for p in problems)
    assert "translation-missing" not in codes
    assert codes.count("translation-unstamped") == 1
    # module_to_dict keeps the translations (in the file's own form).
    again, _ = parse_module(json.dumps(module_to_dict(module)), "again.json")
    assert again is not None and localise(again, "es").title == "Medios"


def test_unknown_placeholder_language_and_module_errors() -> None:
    bad = {"translation_of": "halves", "language": "es",
           "items": {"h-1": {"prompt": "¿{{x}}?"}, "nope": {"prompt": "hola"},
                     "h-2": {"answer_groups": {"0": {"match": {"pattern": "^mitad$"}}}}}}
    module, problems = parse_module(MINI.read_text("utf-8"), str(MINI),
                                    {"mini.es.yaml": yaml.safe_dump(bad)})
    assert module is None
    codes = {p.code for p in problems}
    assert {"translation-placeholder", "translation-unknown", "translation-rule"} <= codes
    for wrong, code in (({"translation_of": "other", "language": "es"}, "translation-of"),
                        ({"translation_of": "halves", "language": "en"}, "translation-language"),
                        ({"translation_of": "halves"}, "translation-language"),
                        ({"translation_of": "halves", "language": "es", "itemz": {}},
                         "schema-additional-properties")):
        _, problems = parse_module(MINI.read_text("utf-8"), str(MINI),
                                   {"mini.es.yaml": yaml.safe_dump(wrong)})
        assert code in {p.code for p in problems if p.is_error}, wrong


def test_pick_language_for_a_launch_locale() -> None:
    available = ("en", "es", "pt-BR")
    assert pick_language("es-MX", available, "en") == "es"
    assert pick_language("es_ES", available, "en") == "es"
    assert pick_language("ES", available, "en") == "es"
    assert pick_language("pt-BR", available, "en") == "pt-BR"
    assert pick_language("pt-PT", available, "en") == "pt-BR"  # the only Portuguese
    assert pick_language("fr-CA", available, "en") == "en"
    assert pick_language(None, available, "en") == "en"
    assert pick_language("", available, "en") == "en"


def test_answers_in_the_learners_language(mini) -> None:
    es = localise(mini, "es")
    assert evaluate_answer(es.item("h-1"), "0,5", "es").correct
    assert evaluate_answer(es.item("h-1"), "0.5", "es").correct
    assert evaluate_answer(mini.item("h-1"), "0,5", "en").correct
    short = es.item("h-2")
    for answer in ("mitad", "Mitad.", "LA MITAD", "médio", "  la   mitad "):
        assert evaluate_answer(short, answer, "es").correct, answer
    # Matched in the learner's language: the English word is not a Spanish answer ...
    assert not evaluate_answer(short, "half", "es").correct
    # ... and English learners keep the English rule.
    assert evaluate_answer(mini.item("h-2"), "Half", "en").correct
    assert not evaluate_answer(mini.item("h-2"), "mitad", "en").correct
    # The item is the same item: the answer's canonical form does not depend on language.
    assert (evaluate_answer(es.item("h-1"), "0,5", "es").normalised
            == evaluate_answer(mini.item("h-1"), "0.5", "en").normalised)


@pytest.mark.parametrize(("text", "language", "value"), [
    ("0,75", "es", 0.75), ("0,75", "fr", 0.75), ("0,75", None, 0.75),
    ("1.000,5", "es", 1000.5), ("1 000,5", "fr", 1000.5), ("1\u202f000", "fr", 1000.0),
    ("12.345.678", "es", 12345678.0), ("-1.000,25", "es-MX", -1000.25),
    ("0.75", "es", 0.75), ("3,14159", "es", 3.14159), ("1 1/2", "es", 1.5),
    ("0.625", "es", 0.625), ("1.5", "es", 1.5), ("1.000", None, 1.0),
    # English groups with commas: read when it can only be that, decimal commas still read
    ("1,000,000", "en", 1e6), ("12,000.5", "en", 12000.5), ("0,575", "en", 0.575),
    ("2,25", "en", 2.25), ("17,576", None, 17.576),
])
def test_numbers_read_the_learners_way(text, language, value) -> None:
    assert parse_number(text, language) == pytest.approx(value)


@pytest.mark.parametrize(("text", "language"), [
    ("1.000", "es"),      # a thousand in Spain, one in English: ask again
    ("1.000,5", "en"),    # grouping with dots is not English
    ("1,000.5", None),    # unchanged default: ambiguous, refused
    ("17,576", "en"),     # seventeen thousand in English, 17.576 in Spain: ask again
    ("-1,250", "en-GB"),
])
def test_ambiguous_numbers_are_refused(text, language) -> None:
    with pytest.raises(ValueError):
        parse_number(text, language)


def test_accents_and_case_fold_in_short_text() -> None:
    from adaptive.grading.answers import normalise_text

    assert normalise_text("Fracción") == normalise_text("FRACCION") == "fraccion"
    assert normalise_text("¿Mediana?") == "mediana"
    assert normalise_text("Straße") == "strasse"


def test_needs_translation_skips_math_only_texts() -> None:
    assert not needs_translation("$\\frac{2}{4}$")
    assert not needs_translation("3/4")
    assert not needs_translation("{{a}} + {{b}}")
    assert not needs_translation("![](figure:bars-2-3)")
    assert needs_translation("Half of $8$")


def test_the_two_schemas_share_their_translation_defs() -> None:
    module_schema = json.loads((SCHEMAS / "module.schema.json").read_text("utf-8"))
    file_schema = json.loads((SCHEMAS / "translation.schema.json").read_text("utf-8"))
    for name, definition in file_schema["$defs"].items():
        assert module_schema["$defs"][name] == definition, name
    body = module_schema["$defs"]["translation_body"]["properties"]
    assert {k: v for k, v in file_schema["properties"].items()
            if k not in ("translation_of", "language")} == body


# --- the shipped samples ----------------------------------------------------------------

SAMPLES = ("fractions", "statistics-basics", "security-awareness")


@pytest.mark.parametrize("sample_id", SAMPLES)
def test_each_sample_is_complete_and_current_in_spanish(sample_id) -> None:
    from adaptive.samples import sample_ids, sample_path

    assert sample_id in sample_ids() and f"{sample_id}.es" not in sample_ids()
    problems = validate_files([sample_path(sample_id)])
    assert [str(p) for p in problems if p.code.startswith("translation-")] == []
    module = load_module(sample_path(sample_id))
    assert "es" in languages(module)


@pytest.mark.parametrize("sample_id", SAMPLES)
def test_spanish_samples_keep_the_structure_and_their_own_answers(sample_id) -> None:
    from adaptive.modules.variants import PLACEHOLDER, variant_item
    from adaptive.samples import load_sample
    from lti_tool.runner.answers import correct_form

    module = load_sample(sample_id)
    es = localise(module, "es")
    assert es.title != module.title
    for en_item, es_item in zip(module.items, es.items, strict=True):
        assert (es_item.id, es_item.type, es_item.skills) == (
            en_item.id, en_item.type, en_item.skills)
        assert [c.id for c in es_item.choices] == [c.id for c in en_item.choices]
        assert es_item.prompt != en_item.prompt or not needs_translation(en_item.prompt)
        # The item's first correct answer, derived from the Spanish rules, is right in
        # Spanish: translated accepted answers and patterns agree with each other.
        form = correct_form(es_item)
        answer: object = form.get("answer", [None])
        if es_item.type in ("single_choice", "short_text", "numeric"):
            answer = answer[0]  # type: ignore[index]
        if es_item.type == "ordering":
            answer = [c for c, _ in sorted(form.items(), key=lambda kv: kv[1][0])]
            answer = [k.removeprefix("pos-") for k in answer]
        assert evaluate_answer(es_item, answer, "es").correct, (es_item.id, answer)
        for k in range(4):  # the drawn variants fill every placeholder in Spanish too
            shown = variant_item(es_item, seed=11, k=k)
            texts = [shown.prompt, shown.solution, *shown.hints, shown.default_feedback,
                     *(g.feedback for g in shown.answer_groups), *(c.text for c in shown.choices)]
            assert not [t for t in texts if PLACEHOLDER.search(t)], es_item.id


def test_spanish_numbers_in_the_statistics_sample() -> None:
    from adaptive.samples import load_sample

    es = localise(load_sample("statistics-basics"), "es")
    assert evaluate_answer(es.item("di-2"), "1,25", "es").correct
    assert evaluate_answer(es.item("ce-2"), "10,5", "es").correct
    assert evaluate_answer(es.item("ce-6"), "Mediana", "es").correct
    assert not evaluate_answer(es.item("ce-6"), "median", "es").correct
    assert evaluate_answer(es.item("sp-7"), "rango intercuartilico", "es").correct


def test_an_unquoted_hash_that_looks_like_a_number_stays_a_hash() -> None:
    """PyYAML (YAML 1.1) writes "81292e36" or "03025905" unquoted; they are still hashes."""
    data = yaml.safe_load(MINI.read_text("utf-8"))
    data["metadata"] = {"source": 1234}
    data["translations"] = {"es": {"title": {"text": "Medios", "source": "81292e36"},
                                   "description": {"text": "x", "source": "03025905"}}}
    text = yaml.safe_dump(data, allow_unicode=True)
    assert "source: 81292e36" in text  # unquoted: YAML 1.2 would read a float
    module, problems = parse_module(text, "mini.yaml")
    assert module is not None, problems
    table = module.translations["es"]
    assert table[("title",)].source == "81292e36"
    assert table[("description",)].source == "03025905"
    assert module.metadata["source"] == 1234  # the rest of the module is read as before
    assert {p.code for p in problems} >= {"translation-stale"}


def test_module_to_dict_of_a_blank_translated_rule_validates_again() -> None:
    """A rule translated with only its hash (a template's blank) is written back without an
    empty ``text`` (the schema wants a rule's text non-empty), so the copy validates."""
    data = yaml.safe_load(MINI.read_text("utf-8"))
    data["translations"] = {"es": {"items": {"h-2": {"answer_groups": {
        "0": {"match": {"source": source_hash("half")}}}}}}}
    module, _ = parse_module(json.dumps(data), "mini.json")
    assert module is not None
    copy = module_to_dict(module)
    assert copy["translations"]["es"]["items"]["h-2"]["answer_groups"]["0"]["match"] == {
        "source": source_hash("half")}
    again, problems = parse_module(json.dumps(copy), "again.json")
    assert again is not None, [str(p) for p in problems if p.is_error]
