"""The interface languages: Flask-Babel set-up, the locale of a request, per-page gettext.

App-wide (the runner, dashboard, picker and assistant pages are all translated), so it
sits beside the factory, not in a feature. Inside an activity the LMS decides the
language (``launch_presentation.locale``, stored on the launch and put in
``g.bw_locale`` by the views); elsewhere the browser's ``Accept-Language``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, format_decimal, gettext, refresh
from jinja2 import pass_eval_context
from markupsafe import Markup

# One per catalogue in lti_tool/translations/ (a test keeps the two in step).
SUPPORTED_LOCALES = ("en", "es", "fr")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def locale_for(tag: str | None) -> str:
    """The supported UI language for a launch locale such as "es-MX" (English otherwise)."""
    lang = (tag or "").replace("_", "-").split("-")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else "en"


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    # Inside the activity the LMS decides (launch_presentation.locale); elsewhere the browser.
    chosen = g.get("bw_locale")
    if chosen:
        return chosen
    return browser_lang()


def browser_lang() -> str:
    """The supported language the browser asks for (pages before the LMS has said one)."""
    try:
        return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"
    except RuntimeError:  # outside a request
        return "en"


def translated(text: str) -> str:
    """``text`` in the request's language when the catalogues have it, else as it is.

    For sentences computed at run time (a refusal's, an answer form's error). Jinja's ``_``
    is for literal messages only: it marks its result safe and %-formats it, so a sentence
    carrying what a user sent (``unknown choice '<b>50% off</b>'``) would be shown as HTML
    or crash the page. This returns plain text, which the templates escape."""
    return str(gettext(text)) if text else text


def decimal(value: float, places: int = 2) -> str:
    """``value`` with at most ``places`` decimals, written the request's way (``0,75`` in
    Spanish and French): a learner's page must not mix ``0.01`` into a Spanish sentence."""
    return str(format_decimal(round(value, places), format="#,##0." + "#" * places))


def grade_percent(score: float) -> str:
    """A 0-1 grade as a whole percentage; a grade above 0 but under 1 % keeps its decimals
    (``0,01``), so the page never says "0 %" beside a non-zero number of points."""
    percent = 100 * score
    return decimal(percent) if 0 < percent < 1 else decimal(percent, 0)


def use_locale(tag: str | None) -> str:
    """Make the supported language of ``tag`` (a launch locale) this request's language.

    Flask-Babel caches the locale on ``g``, which outlives one request when an app context
    was pushed around several (a test client, a CLI job): drop that cache so the templates'
    ``_`` follows this launch, not whatever was resolved before."""
    g.bw_locale = locale_for(tag)
    refresh()
    return g.bw_locale


def init_app(app: Flask) -> None:
    """Flask-Babel (English, Spanish, French) with the catalogues in ``lti_tool/translations``."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    if "babel" not in app.extensions:
        Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.setdefault("translated", translated)
    app.jinja_env.filters.setdefault("decimal", decimal)
    app.jinja_env.filters.setdefault("grade_percent", grade_percent)


def page_gettext(translations: Any) -> Any:
    """Jinja's "newstyle" gettext bound to one page's catalogue.

    Flask-Babel's template ``_`` looks the catalogue up again (request context, locale,
    cache) on each of the ~40 strings of a page; the locale is fixed by then, so the
    runner resolves it once per page. Same result: translate, mark safe when autoescaping,
    always %-format (as ``jinja2.ext.i18n`` does with ``newstyle=True``).
    """

    @pass_eval_context
    def gettext(eval_ctx, string: str, /, **variables: Any) -> str:
        text = translations.ugettext(string)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext
