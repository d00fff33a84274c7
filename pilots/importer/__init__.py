"""The list of organisations (Appendix 2) from a spreadsheet: parse and check every row, then write all or none.

Reading and checking (`organisations_parse`) never writes; `organisations_import` writes the checked rows in one
transaction; `organisations_import_file` does both and is what the command and the upload page call.
`template_workbook` builds the downloadable template whose header this package accepts.

By concern: `columns` (Appendix 2's columns and accepted words), `results` (problems, rows, results), `cells`
(one cell and one row checked), `reading` (the upload's limits, the header, the sheet), `service` (who may
import, and the write), `template` (the downloadable workbook).
"""

from .columns import COLUMNS, Column
from .reading import MAX_IMPORT_BYTES, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_UNPACKED_PART_BYTES, organisations_parse
from .results import ImportProblem, ImportResult, OrganisationRow, ParsedFile
from .service import organisations_import, organisations_import_file, user_can_import
from .template import template_workbook

__all__ = [
    "COLUMNS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_COLUMNS",
    "MAX_IMPORT_ROWS",
    "MAX_UNPACKED_PART_BYTES",
    "Column",
    "ImportProblem",
    "ImportResult",
    "OrganisationRow",
    "ParsedFile",
    "organisations_import",
    "organisations_import_file",
    "organisations_parse",
    "template_workbook",
    "user_can_import",
]
