"""The quiz document (PROTOCOL.md): what authors write, import and export, as strict pydantic models.

One model per question kind, chosen by `kind`. Every model forbids unknown fields, so `id`, `owner`
or `role` in a body is refused rather than silently dropped. Texts are stripped; line breaks are
allowed only where a text may span lines (descriptions, questions, options).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ValidationInfo

from server.images import URL_PATTERN

KINDS = ("single", "multiple", "true_false", "type", "slider", "ordering", "poll")
MAX_QUESTIONS = 100
MAX_OPTIONS = 6
MAX_TAGS = 10
NUMBER_LIMIT = 1e9  # slider bounds; larger values buy nothing and lose exactness in JSONB
CORRECT_OPTIONS_ERROR = "correct_options"  # error type of "how many options are correct" rules

# PostgreSQL refuses NUL in text and JSONB; other control characters only hide content.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _CONTROL_LINE.search(value):
        raise ValueError("must be a single line without control characters")
    return value


def _multiline(value: str) -> str:
    if _CONTROL_MULTILINE.search(value):
        raise ValueError("must not contain control characters")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _tag(value: str) -> str:
    _single_line(value)
    if "," in value or ";" in value:
        raise ValueError("a tag may not contain ',' or ';'")
    return value


def _number(value: Any) -> int | float:
    # bool is an int in Python, but `true` is not a number in a quiz document.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
        raise ValueError(f"must be a finite number between -{NUMBER_LIMIT:.0f} and {NUMBER_LIMIT:.0f}")
    return value


# The same rules as JSON Schema patterns, for the OpenAPI document: at least one character that is not
# a space (texts are trimmed, then must not be empty), and no control characters (but tab and line
# breaks in texts that may span lines).
_LINE_CHAR = r"[^\x00-\x1f\x7f]"
_LINES_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_SPACES = r"\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # what trimming removes
_VISIBLE = f"[^\\x00-\\x1f\\x7f{_SPACES}]"
SINGLE_LINE_PATTERN = f"^{_LINE_CHAR}*{_VISIBLE}{_LINE_CHAR}*$"
MULTILINE_PATTERN = f"^{_LINES_CHAR}*{_VISIBLE}{_LINES_CHAR}*$"
TAG_PATTERN = f"^[^,;\\x00-\\x1f\\x7f]*[^,;\\x00-\\x1f\\x7f{_SPACES}][^,;\\x00-\\x1f\\x7f]*$"


def _trimmed(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


_LINE = (AfterValidator(_single_line), Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN}))
_LINES = (AfterValidator(_multiline), Field(json_schema_extra={"pattern": MULTILINE_PATTERN}))
Title = Annotated[str, _trimmed(200), *_LINE]
QuestionText = Annotated[str, _trimmed(500), *_LINES]
OptionText = Annotated[str, _trimmed(120), *_LINES]
AcceptedText = Annotated[str, _trimmed(100), *_LINE]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40),
                AfterValidator(_tag), Field(json_schema_extra={"pattern": TAG_PATTERN})]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000),
                        AfterValidator(_multiline), Field(json_schema_extra={"pattern": f"^{_LINES_CHAR}*$"})]
Number = Annotated[int | float, PlainValidator(_number),
                   WithJsonSchema({"type": "number", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT})]
Points = Literal[0, 1000, 2000]
def _image_url(value: str) -> str:
    if not _IMAGE_URL.fullmatch(value):
        raise ValueError("must be the address of an image uploaded to this server (/images/...)")
    return value


_IMAGE_URL = re.compile(URL_PATTERN)
ImageUrl = Annotated[str, AfterValidator(_image_url), Field(
    description="an image uploaded with POST /images: the `url` it answered (named by its SHA-256)",
    json_schema_extra={"pattern": URL_PATTERN},
)]
ImageAlt = Annotated[str, _trimmed(300), *_LINE]
DISTINCT_TEXTS = "option texts differ from each other (compared after trimming)"


def _options(correct: dict[str, Any] | None = None, rule: str = DISTINCT_TEXTS) -> Any:
    """An options list field. JSON Schema can say how many options are correct (`contains`); that
    their texts differ it can only approach with `uniqueItems`, so the description says it."""
    extra: dict[str, Any] = {"uniqueItems": True}
    if correct is not None:
        is_correct = {"type": "object", "required": ["correct"], "properties": {"correct": {"const": True}}}
        extra["contains"] = is_correct
        extra.update(correct)
    return Field(min_length=2, max_length=MAX_OPTIONS, description=rule, json_schema_extra=extra)


class DocumentModel(BaseModel):
    """Base of every part of the document: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


# An optional picture (a map, a diagram, a painting) on a question and the words a screen reader says
# for it (without them, the question's text); an option's picture is named by the option's text.
IMAGE_ALT = Field(default=None, description="what the image shows, in words (read out instead of the image)")


class ChoiceOption(DocumentModel):
    """An option of a single or multiple choice question."""

    text: OptionText
    correct: bool = False
    image: ImageUrl | None = None  # its text is its name for a screen reader


class PlainOption(DocumentModel):
    """An option of an ordering question or a poll: no `correct` flag."""

    text: OptionText
    image: ImageUrl | None = None


def _distinct(options: list[Any]) -> None:
    texts = [option.text for option in options]
    if len(set(texts)) != len(texts):
        raise ValueError("option texts must be different from each other")


def _correct_count_error(message: str) -> PydanticCustomError:
    return PydanticCustomError(CORRECT_OPTIONS_ERROR, message)


class QuestionBase(DocumentModel):
    """What every question has."""

    kind: str
    text: QuestionText
    image: ImageUrl | None = None
    image_alt: ImageAlt | None = IMAGE_ALT
    time_limit: int = Field(default=20, ge=5, le=240, description="seconds")
    points: Points = 1000


class SingleQuestion(QuestionBase):
    """Single choice: exactly one correct option."""

    kind: Literal["single"]
    options: list[ChoiceOption] = _options(
        {"minContains": 1, "maxContains": 1}, f"exactly one is correct; {DISTINCT_TEXTS}"
    )

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        _distinct(options)
        if sum(option.correct for option in options) != 1:
            raise _correct_count_error("a single choice question needs exactly one correct option")
        return options


class MultipleQuestion(QuestionBase):
    """Multiple select: at least one correct option."""

    kind: Literal["multiple"]
    options: list[ChoiceOption] = _options({"minContains": 1}, f"at least one is correct; {DISTINCT_TEXTS}")

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        _distinct(options)
        if not any(option.correct for option in options):
            raise _correct_count_error("a multiple select question needs at least one correct option")
        return options


class TrueFalseQuestion(QuestionBase):
    """True or false: no options, the answer in `correct`."""

    kind: Literal["true_false"]
    correct: bool


class TypeQuestion(QuestionBase):
    """Type the answer: any of `accepted` counts (compared after normalisation by the game)."""

    kind: Literal["type"]
    accepted: list[AcceptedText] = Field(min_length=1, max_length=10)


class SliderQuestion(QuestionBase):
    """A number on a slider from `min` to `max` by `step`; full points within `tolerance` of `correct`.
    `min` < `max`, 0 < `step` <= `max` - `min`, and `min` <= `correct` <= `max`."""

    kind: Literal["slider"]
    min: Number
    max: Number = Field(description="greater than min")
    step: Annotated[Number, Field(description="at most max - min", json_schema_extra={"exclusiveMinimum": 0})]
    correct: Number = Field(description="from min to max")
    tolerance: Annotated[Number, Field(json_schema_extra={"minimum": 0})] = 0

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: float, info: ValidationInfo) -> float:
        if "min" in info.data and value <= info.data["min"]:
            raise ValueError("max must be greater than min")
        return value

    @field_validator("step")
    @classmethod
    def _positive_step(cls, value: float, info: ValidationInfo) -> float:
        if value <= 0:
            raise ValueError("step must be greater than 0")
        if {"min", "max"} <= info.data.keys() and value > info.data["max"] - info.data["min"]:
            raise ValueError("step must not be larger than max - min")
        return value

    @field_validator("correct")
    @classmethod
    def _within_range(cls, value: float, info: ValidationInfo) -> float:
        if {"min", "max"} <= info.data.keys() and not info.data["min"] <= value <= info.data["max"]:
            raise ValueError("correct must lie between min and max")
        return value

    @field_validator("tolerance")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("tolerance must not be negative")
        return value


class _PlainOptionsQuestion(QuestionBase):
    options: list[PlainOption] = _options()

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[PlainOption]) -> list[PlainOption]:
        _distinct(options)
        return options


class OrderingQuestion(_PlainOptionsQuestion):
    """Put the options in order; the order given is the correct one."""

    kind: Literal["ordering"]


class PollQuestion(_PlainOptionsQuestion):
    """A poll: no correct answer and no points (`points` defaults to, and must be, 0)."""

    kind: Literal["poll"]
    points: Points = Field(default=0, json_schema_extra={"enum": [0]})

    @field_validator("points")
    @classmethod
    def _no_points(cls, value: int) -> int:
        if value != 0:
            raise ValueError("a poll scores nothing: points must be 0")
        return value


QUESTION_MODELS: dict[str, type[QuestionBase]] = {
    "single": SingleQuestion, "multiple": MultipleQuestion, "true_false": TrueFalseQuestion,
    "type": TypeQuestion, "slider": SliderQuestion, "ordering": OrderingQuestion, "poll": PollQuestion,
}


class _KindProbe(BaseModel):
    model_config = ConfigDict(strict=True)
    kind: Literal[KINDS]  # type: ignore[valid-type]


def parse_question(value: Any) -> QuestionBase:
    """One question from plain data; errors are located inside the question (`options.1.text`)."""
    if isinstance(value, QuestionBase):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError("question_type", "a question must be an object")
    return QUESTION_MODELS[_KindProbe.model_validate(value).kind].model_validate(value)


def _dispatch(value: Any, handler: ValidatorFunctionWrapHandler) -> QuestionBase:
    # Picking the model ourselves (rather than a tagged union) keeps the kind out of error paths:
    # `questions.0.options`, not `questions.0.single.options`.
    return parse_question(value)


AnyQuestion = Annotated[
    SingleQuestion | MultipleQuestion | TrueFalseQuestion | TypeQuestion | SliderQuestion | OrderingQuestion
    | PollQuestion,
    Field(discriminator="kind"),
    WrapValidator(_dispatch),
]


class QuizMeta(DocumentModel):
    """The quiz-level fields of the document (everything but the questions)."""

    title: Title
    description: Description = ""
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    published: bool = False

    @field_validator("tags")
    @classmethod
    def _deduplicate(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class QuizDocument(QuizMeta):
    """A whole quiz as authored: the body of POST/PUT /quizzes and the JSON import/export format."""

    questions: list[AnyQuestion] = Field(min_length=1, max_length=MAX_QUESTIONS)
