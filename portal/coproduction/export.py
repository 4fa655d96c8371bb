"""The CSV export's cells and lines, in plain Python: UTF-8 with a byte order mark (so that Excel
reads it as UTF-8), and every cell that a spreadsheet could take for a formula neutralised.

OWASP's advice on CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
is prefixed with a single quote, so that the spreadsheet shows it as text and never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("Month", "Stage", "Source", "Rating", "What worked well", "What could be better", "Themes",
          "Name (agreed to be contacted)", "Email (agreed to be contacted)")
ROWS_A_CHUNK = 500


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header then the rows, as CSV text in chunks of ROWS_A_CHUNK rows, the first with the BOM
    (built with the csv module: quotes, commas and line breaks inside a cell are quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    for written, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if written % ROWS_A_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
