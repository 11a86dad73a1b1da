"""One source for the engine's defaults (``adaptive/defaults.py``)."""

from __future__ import annotations

import inspect

from adaptive import defaults
from adaptive.analytics import aggregates, profiles, suggestions
from adaptive.mastery import fit_check
from adaptive.modules.format import ModuleSettings
from adaptive.policy.settings import ActivitySettings


def _default(func, name: str):
    return inspect.signature(func).parameters[name].default


def test_every_default_comes_from_the_one_module() -> None:
    assert (defaults.MASTERY_THRESHOLD, defaults.PRACTICE_CAP) == (0.95, 12)
    for settings in (ModuleSettings(), ActivitySettings()):
        assert settings.mastery_threshold == defaults.MASTERY_THRESHOLD
        assert settings.practice_cap == defaults.PRACTICE_CAP
    for module in (aggregates, profiles, suggestions):
        funcs = [f for _, f in inspect.getmembers(module, inspect.isfunction)
                 if f.__module__ == module.__name__
                 and "practice_cap" in inspect.signature(f).parameters]
        assert funcs, module.__name__
        for f in funcs:
            assert _default(f, "practice_cap") in (defaults.PRACTICE_CAP, inspect.Parameter.empty)
    thresholds = [f for _, f in inspect.getmembers(fit_check, inspect.isfunction)
                  if "threshold" in inspect.signature(f).parameters]
    assert thresholds and all(_default(f, "threshold") == defaults.MASTERY_THRESHOLD
                              for f in thresholds)


def test_no_copy_of_the_defaults_as_a_literal() -> None:
    """The literals appear once, in adaptive/defaults.py: a new copy fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    copies = []
    for path in [*root.glob("adaptive/**/*.py"), *root.glob("lti_tool/**/*.py")]:
        if path.name == "defaults.py" and path.parent.name == "adaptive":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if ("threshold" in code and "= 0.95" in code) or "else 0.95" in code \
                    or ("practice_cap" in code and ("= 12" in code or "else 12" in code)) \
                    or "return {}, 0.95" in code:
                copies.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert copies == []


def test_engine_caches_stay_out_of_the_authors_metadata() -> None:
    from adaptive.engine import start
    from adaptive.goals import relevant_skills
    from adaptive.modules.loader import module_to_dict
    from adaptive.policy.settings import ActivitySettings as Settings
    from adaptive.samples import load_sample

    module = load_sample("fractions")
    author = dict(module.metadata)
    start(module, Settings(), seed=1)
    relevant_skills(module, None)
    module.item(module.items[0].id)
    assert module.metadata == author  # nothing of the engine's in the author's metadata
    assert {"_engine_model", "_engine_index", "_items_by_id"} <= set(module.engine_cache)
    assert "engine_cache" not in repr(module) and "engine" not in str(module_to_dict(module))
