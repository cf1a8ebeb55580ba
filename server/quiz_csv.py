r"""CSV import and export of a quiz: a few rows about the quiz, a header, then one row per question.

UTF-8 (a leading BOM is accepted), comma-separated, RFC 4180 quoting, so texts may hold commas,
quotes and line breaks. Export writes CRLF line ends. Example:

    title,Capitals
    description,Around Europe
    tags,geo;europe
    published,false
    kind,text,time_limit,points,option1,option2,option3,option4,option5,option6,correct,accepted,min,max,step,tolerance,image,image_alt
    single,Capital of France?,20,1000,Paris,Lyon,,,,,1,,,,,,,
    multiple,Which are rivers?,20,1000,Rhine,Alps,Danube,,,,1;3,,,,,,,
    true_false,This is the flag of France,20,1000,,,,,,,true,,,,,,/images/9f86d0...c3e1.png,"Blue, white, red"
    type,Capital of Italy?,20,1000,,,,,,,,Rome;Roma,,,,,,
    slider,Year of the euro,30,2000,,,,,,,1999,,1990,2010,1,2,,
    ordering,North to south,20,1000,Oslo,Berlin,Rome,,,,,,,,,,,
    poll,Favourite city?,20,0,Paris,Rome,,,,,,,,,,,,

Quiz rows, above the header, each `field,value`: `title` (required), `description`, `tags` (separated
by `;`), `published` (`true`/`false`, default false). The header is the first other row with a `kind`
cell; its columns may come in any order and any but `kind` and `text` may be left out.
Question rows: `time_limit` (seconds) and `points` empty mean the defaults. `option1`..`option6` for
single, multiple, ordering and poll. `correct`: single, the number of the correct option (`2`);
multiple, the numbers separated by `;` (`1;3`); true_false, `true` or `false`; slider, the number.
An ordering question's options are in the correct order and a poll has no answer, so both leave
`correct` empty. `accepted` (type): answers separated by `;`, with `\;` for a `;` inside an answer
and `\\` for a backslash. `min`, `max`, `step`, `tolerance` (slider): numbers. `image` and
`image_alt` (any kind): the question's picture (an `/images/...` address from POST /images) and the
words a screen reader says for it; `option1_image`..`option6_image`: an option's picture (export
writes these six columns too; the example leaves them out). A cell that a kind does not use must be
empty; rows with no content are skipped.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula: export writes such a text
cell (and one starting with `'`) with a leading `'`, and import removes one leading `'` before those
characters, so a round trip is exact.

A bad import is refused as a whole, with every problem of every row: `line` (the physical line
where the row starts), `path` (the column; `options` for the option columns together) and `message`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from server.errors import BadRequest, FieldError, ValidationFailed
from server.quiz_document import (
    CORRECT_OPTIONS_ERROR,
    KINDS,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    QuizDocument,
    QuizMeta,
    parse_question,
)

OPTION_COLUMNS = tuple(f"option{n}" for n in range(1, MAX_OPTIONS + 1))
OPTION_IMAGE_COLUMNS = tuple(f"{column}_image" for column in OPTION_COLUMNS)
COLUMNS = ("kind", "text", "time_limit", "points", *OPTION_COLUMNS, "correct", "accepted",
           "min", "max", "step", "tolerance", "image", "image_alt", *OPTION_IMAGE_COLUMNS)
_EVERY_KIND = ("time_limit", "points", "image", "image_alt")  # columns any question may fill
QUIZ_FIELDS = ("title", "description", "tags", "published")
_SLIDER_COLUMNS = ("min", "max", "step", "correct", "tolerance")
_OPTIONS = {*OPTION_COLUMNS, *OPTION_IMAGE_COLUMNS}
_USES: dict[str, set[str]] = {  # the columns beyond kind, text and _EVERY_KIND each kind reads
    "single": {*_OPTIONS, "correct"}, "multiple": {*_OPTIONS, "correct"},
    "true_false": {"correct"}, "type": {"accepted"}, "slider": set(_SLIDER_COLUMNS),
    "ordering": _OPTIONS, "poll": _OPTIONS,
}
_FORMULA_START = ("=", "+", "-", "@", "'")
_OPTION_NUMBERS = {str(n) for n in range(1, MAX_OPTIONS + 1)}
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")  # [0-9], not \d: int() would take other scripts' digits too
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")


# ---- cells --------------------------------------------------------------------------------------

def shield(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def unshield(cell: str) -> str:
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START else cell


def _integer(cell: str) -> int:
    if not _INTEGER.fullmatch(cell.strip()):
        raise ValueError("must be a whole number")
    return int(cell)


def _number(cell: str) -> int | float:
    text = cell.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if not _DECIMAL.fullmatch(text):
        raise ValueError("must be a number such as 42 or 2.5")
    return float(text)


def _boolean(cell: str) -> bool:
    text = cell.strip().lower()
    if text not in ("true", "false"):
        raise ValueError("must be true or false")
    return text == "true"


def _option_numbers(cell: str) -> list[int]:
    parts = [part.strip() for part in cell.split(";") if part.strip()]
    if not parts or not all(part in _OPTION_NUMBERS for part in parts):
        raise ValueError(f"must list option numbers from 1 to {MAX_OPTIONS}, such as 2 or 1;3")
    return [int(part) for part in parts]


def _tags(cell: str) -> list[str]:
    return [tag for tag in cell.split(";") if tag.strip()]


_QUIZ_FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "title": str, "description": str, "tags": _tags,
    "published": lambda cell: _boolean(cell) if cell.strip() else False,
}


def _join_accepted(answers: list[str]) -> str:
    return ";".join(answer.replace("\\", "\\\\").replace(";", "\\;") for answer in answers)


def _split_accepted(cell: str) -> list[str]:
    answers, current, chars = [], "", iter(cell)
    for char in chars:
        if char == "\\":  # `\;` and `\\` are escapes; a backslash before anything else stays as it is
            following = next(chars, "")
            current += following if following in (";", "\\") else char + following
        elif char == ";":
            answers.append(current)
            current = ""
        else:
            current += char
    return [answer for answer in [*answers, current] if answer.strip()]


# ---- export -------------------------------------------------------------------------------------

def _question_cells(question: dict[str, Any]) -> dict[str, str]:
    cells = {"kind": question["kind"], "text": shield(question["text"]),
             "time_limit": str(question["time_limit"]), "points": str(question["points"])}
    options = question.get("options", [])
    cells.update((f"option{n}", shield(option["text"])) for n, option in enumerate(options, 1))
    cells.update((f"option{n}_image", option["image"]) for n, option in enumerate(options, 1)
                 if option.get("image"))
    if question.get("image"):
        cells["image"] = question["image"]
        if question.get("image_alt"):
            cells["image_alt"] = shield(question["image_alt"])
    if question["kind"] in ("single", "multiple"):
        cells["correct"] = ";".join(str(n) for n, option in enumerate(options, 1) if option["correct"])
    elif question["kind"] == "true_false":
        cells["correct"] = "true" if question["correct"] else "false"
    elif question["kind"] == "type":
        cells["accepted"] = shield(_join_accepted(question["accepted"]))
    elif question["kind"] == "slider":
        # repr is the shortest exact form: an int stays an int and 2.0 stays a float
        cells.update((column, repr(question[column])) for column in _SLIDER_COLUMNS)
    return cells


def export_csv(document: dict[str, Any]) -> str:
    """The quiz document (as `quiz_views.quiz_document` gives it) in the CSV layout above."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["title", shield(document["title"])])
    writer.writerow(["description", shield(document["description"])])
    writer.writerow(["tags", shield(";".join(document["tags"]))])
    writer.writerow(["published", "true" if document["published"] else "false"])
    writer.writerow(COLUMNS)
    for question in document["questions"]:
        cells = _question_cells(question)
        writer.writerow([cells.get(column, "") for column in COLUMNS])
    return out.getvalue()


# ---- import -------------------------------------------------------------------------------------

Rows = list[tuple[int, list[str]]]  # (the line a row starts on, its cells)


class Problems:
    """Everything wrong with an import so far, each with its line and column."""

    def __init__(self) -> None:
        self.fields: list[FieldError] = []

    def add(self, line: int | None, path: str, message: str) -> None:
        self.fields.append(FieldError(path=path, message=message, line=line))

    def refuse(self) -> ValidationFailed:
        rows = len({field.line for field in self.fields})
        return ValidationFailed(f"The CSV has problems on {rows} line(s); nothing was imported",
                                fields=self.fields)


def _rows(text: str) -> Rows:
    """The rows with any content, each with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed("The CSV cannot be read", fields=[FieldError("csv", str(exc), line)]) from None
    return rows


def _quiz_fields(rows: Rows, problems: Problems) -> tuple[dict[str, Any], dict[str, int]]:
    """The quiz rows above the header as field values, and the line of each field."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for line, cells in rows:
        name, value = cells[0].strip().lower(), cells[1] if len(cells) > 1 else ""
        if name not in QUIZ_FIELDS:
            problems.add(line, name or "field", f"rows above the header are {', '.join(QUIZ_FIELDS)}")
        elif name in lines:
            problems.add(line, name, f"{name} is given twice")
        elif any(cell.strip() for cell in cells[2:]):
            problems.add(line, name, "a quiz row holds a field name and one value")
        else:
            lines[name] = line
            _parse_into(values, name, unshield(value), _QUIZ_FIELD_PARSERS[name], line, problems)
    return values, lines


def _parse_into(target: dict[str, Any], column: str, cell: str, parse: Callable[[str], Any], line: int,
                problems: Problems) -> bool:
    try:
        target[column] = parse(cell)
        return True
    except ValueError as exc:
        problems.add(line, column, str(exc))
        return False


def _is_header(cells: list[str]) -> bool:
    names = [cell.strip().lower() for cell in cells]
    return names[0] not in QUIZ_FIELDS and "kind" in names


def _header(line: int, cells: list[str], problems: Problems) -> list[str] | None:
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    before = len(problems.fields)
    for position, name in enumerate(names):
        if name not in COLUMNS:
            problems.add(line, name or "header", f"unknown column: the columns are {', '.join(COLUMNS)}")
        elif name in names[:position]:
            problems.add(line, name, f"column {name} appears twice")
    for required in ("kind", "text"):
        if required not in names:
            problems.add(line, required, f"the header needs a {required} column")
    return names if len(problems.fields) == before else None


def _correct_columns(cell: str, columns: list[str], line: int, problems: Problems) -> set[str] | None:
    """The option columns that `correct` names; None (reported) when it cannot be read."""
    if not cell.strip():
        return set()
    try:
        named = [f"option{number}" for number in _option_numbers(cell)]
    except ValueError as exc:
        problems.add(line, "correct", str(exc))
        return None
    for column in named:
        if column not in columns:
            problems.add(line, "correct", f"{column} is empty")
    return set(named) if set(named) <= set(columns) else None


def _options(kind: str, row: dict[str, str], line: int, problems: Problems, failed: set[str]
             ) -> tuple[list[dict[str, Any]], list[str]]:
    """The options (with correct flags for single and multiple) and the column each comes from."""
    columns = [column for column in OPTION_COLUMNS if row.get(column, "").strip()]
    options: list[dict[str, Any]] = [{"text": unshield(row[column])} for column in columns]
    for option, column in zip(options, columns, strict=True):
        if row.get(f"{column}_image", "").strip():
            option["image"] = row[f"{column}_image"].strip()
    for column in OPTION_COLUMNS:
        if row.get(f"{column}_image", "").strip() and column not in columns:
            problems.add(line, f"{column}_image", f"an image needs its option's text in {column}")
            failed.add(f"{column}_image")
    if kind in ("single", "multiple"):
        correct = _correct_columns(row.get("correct", ""), columns, line, problems)
        if correct is None:
            failed.add("correct")
        for option, column in zip(options, columns, strict=True):
            option["correct"] = column in (correct or ())
    return options, columns


def _question_data(kind: str, row: dict[str, str], line: int, problems: Problems
                   ) -> tuple[dict[str, Any], list[str], set[str]]:
    """The question's fields from its cells, the column of each option, and the columns that failed."""
    data: dict[str, Any] = {"kind": kind, "text": unshield(row["text"])}
    failed = {column for column, cell in row.items()
              if cell.strip() and column not in ("kind", "text", *_EVERY_KIND) and column not in _USES[kind]}
    for column in sorted(failed, key=COLUMNS.index):
        problems.add(line, column, f"{kind} questions do not use {column}: leave it empty")
    parsers: dict[str, Callable[[str], Any]] = {"time_limit": _integer, "points": _integer}
    if kind == "slider":
        parsers.update(dict.fromkeys(_SLIDER_COLUMNS, _number))
    elif kind == "true_false":
        parsers["correct"] = _boolean
    for column, parse in parsers.items():
        if row.get(column, "").strip() and not _parse_into(data, column, row[column], parse, line, problems):
            failed.add(column)
    option_columns: list[str] = []
    if "option1" in _USES[kind]:
        data["options"], option_columns = _options(kind, row, line, problems, failed)
    if kind == "type" and row.get("accepted", "").strip():
        data["accepted"] = _split_accepted(unshield(row["accepted"]))
    for column in ("image", "image_alt"):
        if row.get(column, "").strip():
            data[column] = unshield(row[column]).strip()
    return data, option_columns, failed


def _column_of(error: Any, option_columns: list[str]) -> str:
    loc = error["loc"]
    if error["type"] == CORRECT_OPTIONS_ERROR or (loc[:1] == ("options",) and loc[-1] == "correct"):
        return "correct"
    if len(loc) >= 2 and loc[0] == "options" and isinstance(loc[1], int):
        return option_columns[loc[1]] + ("_image" if loc[2:3] == ("image",) else "")
    return str(loc[0]) if loc else "row"


def _question(line: int, cells: list[str], columns: list[str], problems: Problems) -> Any:
    if any(cell.strip() for cell in cells[len(columns):]):
        problems.add(line, "row", "the row has more cells than the header has columns")
    row = dict(zip(columns, [*cells, *[""] * (len(columns) - len(cells))], strict=False))
    kind = row["kind"].strip().lower()
    if kind not in KINDS:
        problems.add(line, "kind", f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        return None
    data, option_columns, failed = _question_data(kind, row, line, problems)
    try:
        return parse_question(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            column = _column_of(error, option_columns)
            if column not in failed:  # already reported as a cell that could not be read
                problems.add(line, column, error["msg"].removeprefix("Value error, "))
        return None


def _questions(rows: Rows, columns: list[str], problems: Problems) -> list[Any]:
    if not rows:
        problems.add(None, "questions", "there are no question rows below the header")
    if len(rows) > MAX_QUESTIONS:  # refused anyway; no need to read (and report on) the rest
        problems.add(rows[MAX_QUESTIONS][0], "questions", f"a quiz has at most {MAX_QUESTIONS} questions")
    return [_question(line, cells, columns, problems) for line, cells in rows[:MAX_QUESTIONS]]


def _quiz_meta(values: dict[str, Any], lines: dict[str, int], problems: Problems) -> QuizMeta | None:
    if "title" not in values:
        problems.add(None, "title", "the quiz needs a title: add a row `title,<the title>` above the header")
    try:
        return QuizMeta.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0])
            if name in values:
                problems.add(lines.get(name), name, error["msg"].removeprefix("Value error, "))
        return None


def parse_csv(raw: bytes) -> QuizDocument:
    """A quiz document from a CSV upload; ValidationFailed lists every problem when there is any."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The CSV must be encoded in UTF-8") from None
    rows = _rows(text)
    start = next((index for index, (_, cells) in enumerate(rows) if _is_header(cells)), None)
    if start is None:
        raise ValidationFailed("The CSV has no header row", fields=[FieldError(
            "header", f"no row has a `kind` column; the header is {','.join(COLUMNS)}")])
    problems = Problems()
    values, lines = _quiz_fields(rows[:start], problems)
    columns = _header(*rows[start], problems)
    if columns is None:  # the rows cannot be read without their columns
        raise problems.refuse()
    questions = _questions(rows[start + 1:], columns, problems)
    meta = _quiz_meta(values, lines, problems)
    if problems.fields or meta is None:
        raise problems.refuse()
    return QuizDocument.model_validate({**meta.model_dump(), "questions": questions})
