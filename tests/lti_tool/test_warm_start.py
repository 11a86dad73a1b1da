"""A web worker serves its first launch warm (issue 20): the sample modules are parsed in
gunicorn's master before the fork, the learner's templates compiled when a worker starts."""

from __future__ import annotations

import pytest

from adaptive.samples import sample_ids
from lti_tool.modules import library
from lti_tool.wsgi_server import WARM_TEMPLATES, prepare_master, warm_templates


def test_prepared_master_serves_every_sample_without_parsing_again(app, monkeypatch):
    library._parse.cache_clear()
    prepare_master()
    assert library._parse.cache_info().currsize == len(sample_ids()) >= 3

    def parse_again(*args, **kwargs):
        raise AssertionError("a warmed sample was parsed again")

    monkeypatch.setattr(library, "parse_module", parse_again)
    library.forget_lookups()
    with app.app_context():
        for module_id in sample_ids():
            assert library.get_module(module_id).id == module_id


def test_a_cold_library_does_parse(app, monkeypatch):
    """The counter-check: without the warm-up the first look-up parses."""
    library._parse.cache_clear()
    monkeypatch.setattr(library, "parse_module", lambda *a, **k: pytest.fail("parsed"))
    library.forget_lookups()
    with app.app_context(), pytest.raises(pytest.fail.Exception):
        library.get_module(sample_ids()[0])


def test_worker_templates_are_compiled_at_start(app):
    loaded = []
    original = app.jinja_env.loader.get_source

    def counting(environment, name):
        loaded.append(name)
        return original(environment, name)

    app.jinja_env.loader.get_source = counting
    warm_templates(app)
    assert set(WARM_TEMPLATES) <= set(loaded)
    loaded.clear()
    for name in WARM_TEMPLATES:
        app.jinja_env.get_template(name)
    assert [n for n in loaded if n in WARM_TEMPLATES] == []  # from the compiled cache
