"""What reading and importing report: problems (errors and warnings), checked rows, and the result."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .columns import COLUMNS_BY_CODE


@dataclass(frozen=True)
class ImportProblem:
    """One error or warning: the row as Excel numbers it (None for the whole file), the column's code and letter."""

    row: int | None
    column: str
    code: str
    message: str
    letter: str = ""
    header: str = ""

    @property
    def column_name(self) -> str:
        """The column as the user sees it: its letter and its header in the file (else its name)."""
        column = COLUMNS_BY_CODE.get(self.column)
        name = self.header or (str(column.name) if column else self.column)
        return " · ".join(part for part in (self.letter, name) if part)

    def __str__(self) -> str:
        if self.row is None:
            return str(self.message)
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column_name,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class OrganisationRow:
    """One checked data row: the BIN and only the fields the row gives (an empty cell changes nothing)."""

    row: int
    bin: str
    values: dict[str, Any]


@dataclass
class ParsedFile:
    rows: list[OrganisationRow] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column code → its header as written in the file
    warnings: list[ImportProblem] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did, or with `dry_run` would do; when `errors` is not empty nothing was written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    warnings: list[ImportProblem] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[ImportProblem]:
        return [e for e in self.errors if e.row is not None]


def _file_error(code: str, message: str) -> ImportProblem:
    return ImportProblem(row=None, column="", code=code, message=message)
