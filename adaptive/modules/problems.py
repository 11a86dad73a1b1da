"""Problems found while loading or validating a module file."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ERROR", "WARNING", "ModuleError", "Problem"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem in a module file.

    ``path`` is a JSON-pointer-like location such as
    ``items[3].answer_groups[0].match.pattern`` ("" for the whole document);
    ``code`` is a stable kebab-case identifier for tests and tooling;
    ``severity`` is "error" (the module cannot be used) or "warning".
    """

    file: str
    line: int | None
    path: str
    code: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '(document)'}: {self.message} [{self.code}]"


class ModuleError(Exception):
    """Raised by ``load_module`` when a module has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.is_error]
        shown = errors or self.problems
        lines = [f"{len(errors)} error(s) in module"] + [str(p) for p in shown]
        return "\n".join(lines)
