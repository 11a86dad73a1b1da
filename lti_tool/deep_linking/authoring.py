"""Teachers' own modules: validate YAML text and save it as a CustomModule.

Custom modules are shared by every course on this tool (the library is global), so a
teacher may create new ids and update only modules they own; sample ids are refused,
because a custom module of the same id would replace the sample for every course. An
update never changes what existing links run: they keep the version they were made with
(``library.keep_linked_version``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from adaptive.importers import ImportError_, Unmapped, import_source
from adaptive.modules.loader import parse_module, validate_text
from adaptive.modules.problems import Problem
from adaptive.samples import sample_ids
from lti_tool.extensions import db
from lti_tool.models import CustomModule
from lti_tool.models.base import utcnow
from lti_tool.modules import library
from lti_tool.settings import read_defaults

# A Canvas or Blackboard export zip carries images too; the draft itself must still fit
# the max_module_bytes setting to be saved.
IMPORT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SaveResult:
    """``saved`` on success; otherwise every problem found and/or one general error."""

    saved: CustomModule | None
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


def save_module(text: str, *, owner_user_pk: int | None,
                filename: str = "module.yaml", max_bytes: int | None = None) -> SaveResult:
    """Validate ``text`` and create or update the teacher's module.

    ``max_bytes``: the ``max_module_bytes`` setting (far above any real module; keeps
    a paste from filling the database); its default when not given.
    """
    if max_bytes is None:
        max_bytes = int(read_defaults()["max_module_bytes"])
    if not text.strip():
        return SaveResult(None, error="Paste a module or choose a file.")
    if len(text.encode("utf-8")) > max_bytes:
        return SaveResult(None, error=f"The module is larger than {max_bytes // 1024} KB, "
                                      "the most this server accepts.")
    problems = validate_text(text, filename)
    if any(p.is_error for p in problems):
        return SaveResult(None, problems=problems)
    module, _ = parse_module(text, filename)
    if module is None:  # validate_text found no error, so this should not happen
        return SaveResult(None, problems=problems, error="The module could not be read.")
    if module.id in sample_ids():
        return SaveResult(None, problems=problems,
                          error=f"'{module.id}' is the id of a built-in sample; give your "
                                "module another id.")
    row = db.session.scalars(
        select(CustomModule).where(CustomModule.module_id == module.id)
    ).one_or_none()
    if row is not None and row.owner_user_pk != owner_user_pk:
        return SaveResult(None, problems=problems,
                          error=f"A module with id '{module.id}' already belongs to another "
                                "teacher; give yours another id.")
    now = utcnow()
    if row is None:
        row = CustomModule(module_id=module.id, owner_user_pk=owner_user_pk, created_at=now)
        db.session.add(row)
    elif row.source != text:
        # Courses that already link to the module keep the version they linked to; only
        # links made from now on get this one (a live edit must not change a running
        # activity, nor the items behind answers already given).
        library.keep_linked_version(module.id, row.source)
    row.title = module.title[:255]
    row.source = text
    # The library caches parsed modules by (id, updated_at): a new value is a new version.
    row.updated_at = now
    db.session.commit()
    library.forget_lookups()  # this process sees the change at once
    return SaveResult(row, problems=problems)


@dataclass(frozen=True)
class ImportDraft:
    """A question bank read into module YAML, for the teacher to review before saving."""

    text: str = ""
    source_format: str = ""
    unmapped: list[Unmapped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


def import_draft(data: bytes, filename: str) -> ImportDraft:
    """Read a QTI package, GIFT or Moodle XML upload into a draft; nothing is saved."""
    if len(data) > IMPORT_MAX_BYTES:
        return ImportDraft(error=f"The file is larger than {IMPORT_MAX_BYTES // 2**20} MB.")
    try:
        result = import_source(data, filename)
    except ImportError_ as exc:
        return ImportDraft(error=f"{filename}: {exc}")
    return ImportDraft(result.yaml_text, result.source_format, list(result.unmapped),
                       list(result.problems))


def saved_title(module_id: str) -> str | None:
    """The title of a teacher's module, for the "saved" notice (None if unknown)."""
    if not module_id:
        return None
    row = db.session.scalars(
        select(CustomModule).where(CustomModule.module_id == module_id)
    ).one_or_none()
    return row.title if row is not None else None
