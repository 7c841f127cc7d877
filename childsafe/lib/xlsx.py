"""Excel exports (openpyxl): sheets whose text stays text.

A name a provider or a school's box sent may start with ``=``; every text cell is stored
as a string, so no spreadsheet program reads it as a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a sheet title may not hold, and its length limit.
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TITLE_MAX = 31


def sheet_title(text: str) -> str:
    return _TITLE_FORBIDDEN.sub(" ", text)[:_TITLE_MAX]


def new_workbook() -> Workbook:
    """A workbook without sheets (``add_sheet`` adds them)."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    return book


def add_sheet(
    book: Workbook,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    freeze: str = "A2",
) -> None:
    """A sheet: a bold header row, then ``rows``, text cells as text."""
    sheet = book.create_sheet(sheet_title(title))
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=1+2" is no formula
    sheet.freeze_panes = freeze


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
