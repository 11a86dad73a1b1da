"""``branchwise module translations``: what a translation misses, templates, stamping.

The work is pure (``adaptive.modules.translations``, ``translation_files``); this command
reads the module with its sibling files and writes ``<stem>.<language>.yaml``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

_CODES = ("translation-missing", "translation-stale", "translation-unstamped",
          "translation-unknown", "translation-rule", "translation-placeholder", "translation-regex",
          "translation-language", "translation-of")


@click.command("translations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", "-l", "language", required=True,
              help="The translation's language tag, e.g. es or pt-BR.")
@click.option("--template", is_flag=True,
              help="Write the sibling file with every missing text as an empty string to "
                   "fill in (existing translations are kept).")
@click.option("--stamp", is_flag=True,
              help="Write the sibling file with the source hash of the current original on "
                   "every string that has none (stale ones keep theirs).")
def module_translations(file: Path, language: str, template: bool, stamp: bool) -> None:
    """List the missing and stale translations of FILE in LANGUAGE (file:line each).

    Exit 0 when the translation is complete and current, 1 otherwise. With --template or
    --stamp, (re)write FILE's sibling translation file, e.g. fractions.es.yaml; the
    originals are written above each string as comments.
    """
    from adaptive.modules.loader import parse_module, read_sibling_translations
    from adaptive.modules.translation_files import translation_yaml
    from adaptive.modules.validate import format_problems

    siblings = read_sibling_translations(file)
    module, problems = parse_module(file.read_text(encoding="utf-8"), str(file), siblings)
    if module is None:
        click.echo(format_problems(problems), err=True)
        raise click.ClickException(f"{file} has errors; fix them first")
    if language == module.language:
        raise click.ClickException(f"{language!r} is the module's own language")
    if template or stamp:
        out = file.with_name(f"{file.stem}.{language}.yaml")
        table = module.translations.get(language, {})
        own = [k for k, e in table.items() if e.file == str(file)]
        if own:
            click.echo(f"note: {len(own)} {language} string(s) are in {file} itself; the "
                       f"sibling file gets a copy of them", err=True)
        out.write_text(translation_yaml(module, language, table, stamp=stamp, blanks=template),
                       encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
        siblings = read_sibling_translations(file)
        module, problems = parse_module(file.read_text(encoding="utf-8"), str(file), siblings)
    mine = [p for p in problems if p.code in _CODES and (
        language in p.message or p.path.startswith(f"translations.{language}")
        or p.file.endswith(f".{language}.yaml"))]
    if mine:
        click.echo(format_problems(mine))
    counts = {c: sum(1 for p in mine if p.code == c) for c in _CODES}
    summary = ", ".join(f"{n} {c.removeprefix('translation-')}" for c, n in counts.items() if n)
    click.echo(f"{file} [{language}]: {summary or 'complete and current'}", err=True)
    if counts["translation-missing"] or counts["translation-stale"]:
        sys.exit(1)
