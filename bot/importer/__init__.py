"""CSV import of leads, activities and deal outcomes through the one ingest path.

``leadscore import FILE [--mapping MAP.yml] [--alert]``; the mapping format is
described in ``bot.importer.mapping`` and docs/import-mapping.md.
"""

from bot.importer.defaults import default_mapping
from bot.importer.import_loop import BadRow, ImportSummary, import_csv, import_rows, open_import
from bot.importer.mapping import Mapping, MappingError, load_mapping, parse_mapping
from bot.importer.reader import CsvSource, UnreadableFile
from bot.importer.rows import RowMapper, RowRejected

__all__ = [
    "BadRow",
    "CsvSource",
    "ImportSummary",
    "Mapping",
    "MappingError",
    "RowMapper",
    "RowRejected",
    "UnreadableFile",
    "default_mapping",
    "import_csv",
    "import_rows",
    "load_mapping",
    "open_import",
    "parse_mapping",
]
