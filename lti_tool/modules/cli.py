"""``branchwise module import`` and ``module export``: question banks in, QTI 3.0 out.

The parsing and writing are pure functions in ``adaptive.importers`` and
``adaptive.exporters``; these commands only read and write the files.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the module draft here (default: print it).")
def module_import(file: Path, out: Path | None) -> None:
    """Turn a QTI package, GIFT or Moodle XML file into a module draft (YAML).

    What could not be mapped and the validator's problems go to stderr. Exit 0
    when the draft is valid, 1 when it needs fixing first (it is still written),
    2 when the file cannot be read as any of these formats.
    """
    from adaptive.importers import ImportError_, import_source
    from adaptive.modules.validate import format_problems

    try:
        result = import_source(file.read_bytes(), file.name)
    except ImportError_ as exc:
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(2)
    if out is None:
        click.echo(result.yaml_text, nl=False)
    else:
        out.write_text(result.yaml_text, encoding="utf-8")
    items = len(result.data.get("items", []))
    click.echo(f"{file}: {result.source_format}, {items} item(s), "
               f"{len(result.data.get('skills', []))} skill(s), "
               f"{len(result.unmapped)} thing(s) not mapped", err=True)
    for u in result.unmapped:
        click.echo(f"not mapped: {u}", err=True)
    if result.problems:
        # The problems' lines are the draft's, not the source's: name the draft, so that
        # "file:line" opens the line it is about.
        draft = str(out) if out is not None else "draft"
        click.echo(format_problems(replace(p, file=draft) for p in result.problems), err=True)
    if out is not None:
        click.echo(f"wrote {out}", err=True)
    if not result.ok:
        sys.exit(1)


@click.command("export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The QTI 3.0 package (.zip) to write.")
def module_export(file: Path, out: Path) -> None:
    """Write a module file as a QTI 3.0 content package (zip with imsmanifest.xml)."""
    from adaptive.exporters import export_qti3
    from adaptive.modules.loader import load_module
    from adaptive.modules.problems import ModuleError

    try:
        module = load_module(file)
    except ModuleError as exc:
        raise click.ClickException(str(exc)) from exc
    package = export_qti3(module)
    out.write_bytes(package.data)
    click.echo(f"wrote {out}: {len(module.items)} item(s)")
    for note in package.not_carried:
        click.echo(f"not carried: {note}", err=True)


def register(main: click.Group) -> None:
    """Add the commands to the ``module`` group of the ``branchwise`` CLI."""
    group = main.commands["module"]
    assert isinstance(group, click.Group)
    group.add_command(module_import)
    group.add_command(module_export)
    from lti_tool.modules.translate_cli import module_translations

    group.add_command(module_translations)
