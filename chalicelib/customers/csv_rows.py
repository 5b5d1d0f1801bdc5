"""Customer CSV files, one row at a time.

Imports can be hundreds of thousands of rows read from S3, so nothing here
holds more than the current row: `read_csv_rows` consumes any iterable of
lines (a file, `codecs.iterdecode(body.iter_lines(), "utf-8-sig")`, a list in
tests) and yields rows numbered the way the user's spreadsheet shows them,
so an error report says "row 7" and row 7 is the one to fix.

Files come from Excel as often as from exports: a UTF-8 BOM, CRLF endings,
";" as the delimiter (Excel's default under Indonesian regional settings),
headers typed as "Birth Date" or "Consent WhatsApp" are all accepted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from chalicelib.customers.model import InvalidCustomer

STANDARD_COLUMNS: frozenset[str] = frozenset(
    {"external_id", "name", "phone", "email", "birth_date", "province", "city", "timezone", "language"}
)
"""Columns that map to top-level customer fields."""

CONSENT_COLUMNS: dict[str, str] = {"consent_whatsapp": "whatsapp", "consent_email": "email"}
"""Column -> consent channel; cells hold purposes like "greetings;promotions"."""

WITHDRAW_ALL = "none"
"""The consent cell that withdraws every purpose on its channel; an empty cell changes nothing."""

IGNORED_COLUMNS: frozenset[str] = frozenset({"id", "created_at", "updated_at", "birthday_key"})
"""Columns an export contains but an import must not set; dropped so an export re-imports cleanly."""

REQUIRED_COLUMNS: tuple[str, ...] = ("external_id", "name")
RESERVED_COLUMNS: frozenset[str] = frozenset({"attributes", "consents"})

EXTRA = "__extra__"
"""Row key holding non-empty cells that have no column name (more cells than headers)."""

_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PURPOSE_SEPARATORS = re.compile(r"[;,|\s]+")
_BOM = "\ufeff"


class InvalidCsv(ValueError):
    """The file as a whole cannot be read (empty, bad header, broken quoting); `.fields` says where."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.fields.items()))


def normalize_header(name: str) -> str:
    """ "Birth Date" / "birth-date" / " BIRTH_DATE " -> "birth_date"; also the attribute key for other columns."""
    return _NON_WORD.sub("_", name.replace(_BOM, "").strip().lower()).strip("_")


def _delimiter(header_line: str) -> str:
    """Comma unless the header clearly uses ";" or tab (header names never contain either)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _header(cells: list[str], required: tuple[str, ...] = REQUIRED_COLUMNS) -> list[str | None]:
    """Normalised column names (None for blank headings); raises InvalidCsv for a header no row could pass."""
    names: list[str | None] = []
    errors: dict[str, str] = {}
    for raw in cells:
        name = normalize_header(raw)
        if not name:
            names.append(None)
            continue
        if name in names:
            errors[name] = "duplicate column"
        elif name in RESERVED_COLUMNS:
            errors[name] = "not a column; use consent_whatsapp, consent_email and one column per attribute"
        elif (
            name not in STANDARD_COLUMNS
            and name not in CONSENT_COLUMNS
            and name not in IGNORED_COLUMNS
            and not _ATTRIBUTE_KEY.fullmatch(name)
        ):
            errors[name] = "attribute columns must start with a letter and have at most 40 letters, digits or _"
        names.append(name)
    for column in required:
        if column not in names:
            errors[column] = "required column is missing"
    if errors:
        raise InvalidCsv(errors)
    return names


def read_csv_rows(
    lines: Iterable[str], required: tuple[str, ...] = REQUIRED_COLUMNS
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (spreadsheet row number, {column: trimmed cell}) for every non-blank data row.

    The header is row 1, so the first data row is row 2; a cell with an
    embedded newline does not shift later numbers, and blank rows are skipped
    but still counted, exactly as a spreadsheet shows them. Cells missing at
    the end of a short row are simply absent; non-empty cells beyond the
    header (or under a blank heading) are collected under `EXTRA` for
    `row_to_customer_data` to reject. Raises InvalidCsv (lazily, on the first
    `next`) for an empty file, a bad header or unreadable quoting. `required` names the columns the file
    must have (a customer file's by default; the contract import passes its own).
    """
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        raise InvalidCsv({"file": "is empty; expected a header row"})
    first = first.removeprefix(_BOM)
    reader = csv.reader(chain([first], iterator), delimiter=_delimiter(first), strict=False)
    row_number = 1
    try:
        header_cells = next(reader, None)
        if not header_cells or not any(cell.strip() for cell in header_cells):
            raise InvalidCsv({"file": "has no header row"})
        columns = _header(header_cells, required)
        for cells in reader:
            row_number += 1
            row: dict[str, Any] = {}
            extra: list[str] = []
            for index, cell in enumerate(cells):
                value = cell.strip()
                name = columns[index] if index < len(columns) else None
                if name is None:
                    if value:
                        extra.append(value)
                elif name not in IGNORED_COLUMNS:
                    row[name] = value
            if extra:
                row[EXTRA] = extra
            if any(row.values()):
                yield row_number, row
    except csv.Error as error:
        raise InvalidCsv({f"row {row_number + 1}": f"cannot be read as CSV: {error}"}) from None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list)."""


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading `'`.

    `=HYPERLINK(...)` typed into a customer's name must not run when staff open an export.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unneutralised(value: str) -> str:
    """An exported cell read back: the `'` `spreadsheet_safe` put before "+62812..." goes again."""
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_STARTS and value[1:2] else value


def _purposes(cell: str) -> list[str]:
    if cell.strip().lower() == WITHDRAW_ALL:
        return []
    return [purpose.lower() for purpose in _PURPOSE_SEPARATORS.split(cell) if purpose]


def row_to_customer_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """The dict `validate_customer` takes, from one CSV row.

    Empty cells are omitted (so an empty phone cell means "no phone"). For
    consent that means "no change": an empty consent cell, like a file
    without the column, leaves that channel's consent as it is, because a
    financing-system export that has no value must never wipe consent staff
    or the customer recorded. `none` withdraws every purpose on the channel.
    Every other column becomes an attribute; values stay strings ("007" is a
    branch code, not the number 7). Raises InvalidCustomer for cells without
    a column.
    """
    extra = row.get(EXTRA)
    if extra:
        raise InvalidCustomer(
            {"row": f"has {len(extra)} more non-empty cell(s) than named columns; is a comma missing its quotes?"}
        )
    data: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    consents: dict[str, list[str]] = {}
    for raw_key, raw_value in row.items():
        if raw_key == EXTRA:
            continue
        key = normalize_header(str(raw_key))
        value = _unneutralised(raw_value.strip()) if isinstance(raw_value, str) else raw_value
        if key in CONSENT_COLUMNS:
            if isinstance(value, str) and value:
                consents[CONSENT_COLUMNS[key]] = _purposes(value)
        elif key in IGNORED_COLUMNS or value in (None, ""):
            continue
        elif key in STANDARD_COLUMNS:
            data[key] = value
        else:
            attributes[key] = value
    if attributes:
        data["attributes"] = attributes
    if consents:
        data["consents"] = consents
    return data
