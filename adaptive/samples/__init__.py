"""Sample modules shipped with Branchwise.

Each sample is a module file (``<id>.yaml``) inside this package, read through
``importlib.resources`` so that it also works from an installed wheel or zip.
They double as authoring examples (every item type, misconception tags,
remediation pages, diagnostic items) and as fixtures for the engine and the
simulation benchmark.
"""

from __future__ import annotations

import pathlib
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adaptive.modules.format import Module

__all__ = [
    "load_sample",
    "sample_ids",
    "sample_languages",
    "sample_path",
    "sample_text",
    "sample_translations",
]

_SUFFIX = ".yaml"


def _files() -> resources.abc.Traversable:
    return resources.files(__name__)


def sample_ids() -> list[str]:
    """The ids of the shipped samples (their file names without ``.yaml``), sorted."""
    # "fractions.es.yaml" is a translation of "fractions" (module ids have no dots).
    return sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in _files().iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIX)
        and "." not in entry.name[: -len(_SUFFIX)]
    )


def _resource(sample_id: str) -> resources.abc.Traversable:
    if sample_id not in sample_ids():
        known = ", ".join(sample_ids())
        raise KeyError(f"no sample module {sample_id!r} (known: {known})")
    return _files() / f"{sample_id}{_SUFFIX}"


def sample_path(sample_id: str) -> pathlib.Path:
    """The file system path of a sample's module file.

    Valid for normal (unzipped) installs; use :func:`sample_text` when the package
    may be imported from a zip archive.
    """
    return pathlib.Path(str(_resource(sample_id)))


def sample_text(sample_id: str) -> str:
    """The YAML text of a sample module."""
    return _resource(sample_id).read_text(encoding="utf-8")


def _translation_files(sample_id: str) -> list[resources.abc.Traversable]:
    """A sample's translation files (``<id>.<language>.yaml``), by name."""
    _resource(sample_id)
    prefix = f"{sample_id}."
    return sorted(
        (entry for entry in _files().iterdir()
         if entry.is_file() and entry.name.startswith(prefix) and entry.name.endswith(_SUFFIX)
         and entry.name.count(".") == 2),
        key=lambda e: e.name,
    )


def sample_translations(sample_id: str) -> dict[str, str]:
    """{file name: text} of a sample's translation files (``<id>.<language>.yaml``)."""
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in _translation_files(sample_id)}


def sample_languages(sample_id: str) -> list[str]:
    """The languages a sample's translation files are for (from their names), sorted."""
    return sorted(entry.name.split(".")[1] for entry in _translation_files(sample_id))


def load_sample(sample_id: str) -> Module:
    """Parse and validate a sample; raise ``ModuleError`` if it has errors."""
    # Imported here so that listing samples does not pull in YAML and jsonschema.
    from adaptive.modules.loader import parse_module
    from adaptive.modules.problems import ModuleError

    module, problems = parse_module(
        sample_text(sample_id), f"{sample_id}{_SUFFIX}", sample_translations(sample_id)
    )
    if module is None:
        raise ModuleError(problems)
    return module
