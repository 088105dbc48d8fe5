"""The pydantic models of spec format v1: the single source of truth for the format.

``schemas/kpi-spec.schema.json`` is generated from :class:`SpecDocument`. The loader's nodes are
turned into these models entity by entity (see :mod:`kpilint.build`), so one bad field never hides
the rest of the file.

No ``from __future__ import annotations`` here: pydantic then reads the fields' annotations as
objects instead of evaluating strings, which makes importing this module cheaper.
"""

import datetime
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ID_TEXT = re.compile(ID_PATTERN)
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEADLINE_PATTERN = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
EXTENSION_PREFIX = "x-"
NUMBER_OR_MAPPING = "number_or_value_mapping"

Direction = Literal["increase", "decrease", "maintain"]
Cadence = Literal[
    "daily", "weekly", "biweekly", "monthly", "quarterly", "semiannual", "annual"
]
Indicator = Literal["leading", "lagging"]

CADENCE_DAYS: dict[str, int] = {
    "daily": 1, "weekly": 7, "biweekly": 14, "monthly": 30, "quarterly": 91,
    "semiannual": 182, "annual": 365,
}


def _as_list(value: Any) -> Any:
    """Accept one id or a list of ids."""
    return [value] if isinstance(value, str) else value


def _iso_day(value: Any) -> Any:
    """Accept a date written as a string (JSON specs, quoted YAML): ``"2026-12-31"``."""
    if isinstance(value, str) and DAY_PATTERN.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a calendar date") from None
    return value


def _period_end(value: Any) -> Any:
    """Normalise ``YYYY-MM`` and ``YYYY-Qn`` to the last day of that month or quarter."""
    value = _iso_day(value)
    return _last_day(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=256)
def _last_day(period: str) -> datetime.date:
    """The last day of a ``YYYY-MM`` or ``YYYY-Qn`` period (kept: a project names a few periods
    many times)."""
    match = DEADLINE_PATTERN.match(period)
    if match is None:
        raise ValueError("use YYYY-MM-DD, YYYY-MM or YYYY-Qn")
    year, month, quarter = int(match[1]), match[2], match[3]
    last_month = int(month) if month else int(quarter) * 3
    if last_month == 12:
        return datetime.date(year, 12, 31)
    # the day before the next month's first (not calendar.monthrange: no import for it)
    return datetime.date(year, last_month + 1, 1) - datetime.timedelta(days=1)


def _number_to_baseline(value: Any) -> Any:
    """Accept a bare number as ``{value: N}``; anything but a number or a mapping is an error
    of its own type, so that the message names both accepted forms."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"value": value}
    if not isinstance(value, dict):
        raise PydanticCustomError(NUMBER_OR_MAPPING, "expected a number or {value, as_of}")
    return value


EntityId = Annotated[str, Field(pattern=ID_PATTERN)]
IdList = Annotated[
    list[EntityId],
    BeforeValidator(_as_list, json_schema_input_type=EntityId | list[EntityId]),
]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Day = Annotated[
    datetime.date,
    BeforeValidator(_iso_day),
    Field(strict=True),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
Deadline = Annotated[
    datetime.date,
    BeforeValidator(_period_end),
    WithJsonSchema({
        "type": "string",
        "pattern": r"^\d{4}-(\d{2}-\d{2}|0[1-9]|1[0-2]|Q[1-4])$",
        "description": "YYYY-MM-DD, YYYY-MM (end of month) or YYYY-Qn (end of quarter)",
    }),
]
Tags = list[str]


class Baseline(BaseModel):
    """A baseline value with the date it was measured."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    value: Number
    as_of: Day | None = None


BaselineField = Annotated[
    Baseline,
    BeforeValidator(_number_to_baseline, json_schema_input_type=float | Baseline),
    Field(description="a number, or {value, as_of}"),
]


class Band(BaseModel):
    """A standing target: the value must stay at or above ``min`` and/or at or below ``max``."""

    model_config = ConfigDict(defer_build=True, extra="forbid",
                              json_schema_extra={"minProperties": 1})

    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Band":
        if self.min is None and self.max is None:
            raise ValueError("a band needs `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("its `min` is above its `max`")
        return self


def _target_kind(value: Any) -> str:
    return "band" if isinstance(value, (dict, Band)) else "number"


TargetField = Annotated[
    Union[Annotated[Number, Tag("number")], Annotated[Band, Tag("band")]],  # noqa: UP007
    Discriminator(_target_kind),
    Field(description="a number to reach by the deadline, or a standing band {min, max}"),
]


class Actual(BaseModel):
    """The latest measured value and the day it was measured."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    value: Number
    as_of: Day


EXTENSION_KEYS: JsonDict = {"patternProperties": {"^x-": {"description": "free extension field"}}}


class Entity(BaseModel):
    """Fields every entity kind shares."""

    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra=EXTENSION_KEYS)
    kind: ClassVar[str]
    section: ClassVar[str]

    id: EntityId = Field(description="unique in the whole project")
    name: str
    definition: str | None = None
    owner: str | None = None
    tags: Tags | None = None


class Kgi(Entity):
    """Key Goal Indicator: the numeric outcome goal."""

    kind: ClassVar[str] = "KGI"
    section: ClassVar[str] = "kgis"

    unit: str | None = None
    baseline: BaselineField | None = None
    target: TargetField | None = None
    actual: Actual | None = None
    direction: Direction | None = None
    deadline: Deadline | None = None
    source: str | None = None
    cadence: Cadence | None = None
    formula: str | None = Field(default=None, description="arithmetic over KPI ids")
    last_reviewed: Day | None = None


class Ksf(Entity):
    """Key Success Factor: a qualitative strategy that supports KGIs."""

    kind: ClassVar[str] = "KSF"
    section: ClassVar[str] = "ksfs"

    supports: IdList | None = Field(default=None, description="id(s) of KGIs")


class Kpi(Entity):
    """Key Performance Indicator: a measurable intermediate metric."""

    kind: ClassVar[str] = "KPI"
    section: ClassVar[str] = "kpis"

    supports: IdList | None = Field(default=None, description="id(s) of KSFs or KGIs")
    indicator: Indicator | None = None
    primary: Annotated[bool, Field(strict=True)] | None = None
    unit: str | None = None
    direction: Direction | None = None
    baseline: BaselineField | None = None
    target: TargetField | None = None
    actual: Actual | None = None
    deadline: Deadline | None = None
    cadence: Cadence | None = None
    source: str | None = None
    paired_with: IdList | None = Field(default=None, description="id(s) of counter KPIs")
    last_reviewed: Day | None = None


ENTITY_MODELS: tuple[type[Entity], ...] = (Kgi, Ksf, Kpi)


class SpecDocument(BaseModel):
    """One YAML document of a spec file."""

    model_config = ConfigDict(
        defer_build=True,
        extra="forbid",
        title="kpilint spec file, version 1",
        json_schema_extra=EXTENSION_KEYS,
    )

    version: Literal[1]
    scope: str | None = None
    kgis: list[Kgi] | None = None
    ksfs: list[Ksf] | None = None
    kpis: list[Kpi] | None = None


def text_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields whose YAML scalars are taken as their source text (``id: 2026`` is "2026")."""
    return frozenset(
        name for name, info in model.model_fields.items()
        if _mentions_str(info.annotation)
    )


def _mentions_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_mentions_str(arg) for arg in getattr(annotation, "__args__", ()))



class Unsure(Exception):
    """A value the quick path cannot vouch for: pydantic validates the mapping instead."""


ModelT = TypeVar("ModelT", bound=BaseModel)
Convert = Callable[[Any], Any] | frozenset[str]
"""Checks one value other than None the way the model validates it and returns what the model
would hold; raises :class:`Unsure` for anything it cannot vouch for. A choice is the set of the
strings it allows (a string among them is kept as it is). None is decided without it: it is the
default of every field that is not required, and fails a required one."""
MAX_EXACT_INT = 2**53  # a larger int may round when made a float: left to pydantic


def _text(value: Any) -> str:
    if type(value) is not str:
        raise Unsure
    return value


TEXT = _text
"""The check of a text field (the model builder tests a string inline instead of calling it)."""


def _id(value: Any) -> str:
    if type(value) is not str or ID_TEXT.fullmatch(value) is None:
        raise Unsure
    return value


def _texts(value: Any) -> list[str]:
    if type(value) is not list:
        raise Unsure
    for item in value:
        if type(item) is not str:
            raise Unsure
    return value.copy()


def _ids(value: Any) -> list[str]:
    if type(value) is str:
        return [_id(value)]
    if type(value) is not list:
        raise Unsure
    return [_id(item) for item in value]


def _number(value: Any) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and -MAX_EXACT_INT <= value <= MAX_EXACT_INT:
        return float(value)
    raise Unsure


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise Unsure
    return value


def _version(value: Any) -> int:
    if type(value) is not int or value != 1:
        raise Unsure
    return value


def _day(value: Any) -> datetime.date:
    if type(value) is datetime.date:
        return value
    try:
        value = _iso_day(value)
    except ValueError:
        raise Unsure from None
    if type(value) is not datetime.date:
        raise Unsure
    return value


def _deadline(value: Any) -> datetime.date:
    if type(value) is datetime.date:
        return value
    try:
        return _day(_period_end(value))
    except ValueError:
        raise Unsure from None


def _choice(choices: Any) -> frozenset[str]:
    """The check of a choice among the strings of a ``Literal``."""
    return frozenset(choices.__args__)


@dataclass(frozen=True, slots=True)
class QuickShape:
    """What the quick path needs of one model: each field's check, the required fields, and
    every field in order with its default (a required one's is never used)."""

    checks: dict[str, Convert]
    required: frozenset[str]
    defaults: dict[str, Any]


@functools.cache
def _shape(model: type[BaseModel]) -> QuickShape | None:
    """The quick path's view of ``model``; None for a model it does not know."""
    checks = QUICK_FIELDS.get(model) or PART_FIELDS.get(model)
    if checks is None:
        return None
    info = model.model_fields
    return QuickShape(checks, frozenset(name for name in info if info[name].is_required()),
                      {name: info[name].default for name in info})


# A model's four slots (BaseModel.__slots__ in pydantic 2), set through their descriptors:
# object.__setattr__ looks each name up first, and the model's own __setattr__ validates. A
# pydantic whose models hold other slots is served by its public model_construct instead.
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_new = object.__new__


def _slot_setters() -> tuple[Callable[[Any, Any], None], ...] | None:
    """The setters of a model's slots, or None for a pydantic whose models hold others."""
    if getattr(BaseModel, "__slots__", None) != _SLOTS:
        return None
    return tuple(BaseModel.__dict__[name].__set__ for name in _SLOTS)


SLOT_SETTERS = _slot_setters()


def made_model(model: type[ModelT], data: dict[str, Any], fields_set: set[str]) -> ModelT:
    """``model`` holding ``data`` (every field, in order), with ``fields_set``: the object
    ``model_construct`` makes, without its per-field alias and default lookups (through it
    when this pydantic's slots are not the known ones)."""
    if SLOT_SETTERS is None:
        return model.model_construct(fields_set, **data)
    set_data, set_fields_set, set_extra, set_private = SLOT_SETTERS
    made: ModelT = _new(model)
    set_data(made, data)
    set_fields_set(made, fields_set)
    set_extra(made, None)
    set_private(made, None)
    return made


def _construct(model: type[ModelT], values: Any) -> ModelT:
    """``model`` made from the mapping ``values`` as its validator makes it (the fields in
    order, unset ones at their default, the fields set), not validated."""
    shape = _shape(model)
    if shape is None or type(values) is not dict or not shape.required <= values.keys():
        raise Unsure
    checks = shape.checks
    required = shape.required
    data = shape.defaults.copy()
    for key, value in values.items():
        check = checks.get(key)
        if check is None:
            raise Unsure
        if value is None:
            if key in required:
                raise Unsure
        elif isinstance(check, frozenset):
            if type(value) is not str or value not in check:
                raise Unsure
            data[key] = value
        else:
            data[key] = check(value)
    return made_model(model, data, set(values))


def _baseline(value: Any) -> Baseline:
    if type(value) is dict:
        return _construct(Baseline, value)
    return made_model(Baseline, {"value": _number(value), "as_of": None}, {"value"})


def _target(value: Any) -> float | Band:
    if type(value) is not dict:
        return _number(value)
    band = _construct(Band, value)
    if (band.min is None and band.max is None) or (
            band.min is not None and band.max is not None and band.min > band.max):
        raise Unsure
    return band


def _actual(value: Any) -> Actual:
    return _construct(Actual, value)


ENTITY_FIELDS: dict[str, Convert] = {
    "id": _id, "name": TEXT, "definition": TEXT, "owner": TEXT, "tags": _texts}
MEASURE_FIELDS: dict[str, Convert] = {
    "unit": TEXT, "baseline": _baseline, "target": _target, "actual": _actual,
    "direction": _choice(Direction), "deadline": _deadline, "source": TEXT,
    "cadence": _choice(Cadence), "last_reviewed": _day}
QUICK_FIELDS: dict[type[BaseModel], dict[str, Convert]] = {
    SpecDocument: {"version": _version, "scope": TEXT},
    Kgi: {**ENTITY_FIELDS, **MEASURE_FIELDS, "formula": TEXT},
    Ksf: {**ENTITY_FIELDS, "supports": _ids},
    Kpi: {**ENTITY_FIELDS, **MEASURE_FIELDS, "supports": _ids, "indicator": _choice(Indicator),
          "primary": _flag, "paired_with": _ids},
}
"""The fields the quick path knows, per model (SpecDocument's sections are validated entity by
entity, never through it); a field missing here is always left to pydantic."""
PART_FIELDS: dict[type[BaseModel], dict[str, Convert]] = {
    Baseline: {"value": _number, "as_of": _day},
    Band: {"min": _number, "max": _number},  # its own validator: see _target
    Actual: {"value": _number, "as_of": _day},
}
"""The same for the models inside a field, which their field's check makes."""


QUICK_BUDGET = 30_000
"""Entities the quick path is tried on per process. It makes an entity for about 5,000 more
machine instructions than pydantic's validator once that is built, and building the four
models' validators (with the package metadata pydantic's plugin loader reads) costs about
190 million, 30 ms: past some 37,000 entities, building them pays for itself."""
_quick_left = QUICK_BUDGET


def quick_shape(model: type[BaseModel]) -> QuickShape | None:
    """The quick path's view of ``model`` for one more entity, counted against
    :data:`QUICK_BUDGET`; None once pydantic's validator is the cheaper way (the budget is
    spent, or the model's validator is built) or for a model the quick path does not know."""
    global _quick_left
    if _quick_left <= 0 or model.__pydantic_complete__:
        return None
    _quick_left -= 1
    return _shape(model)


def construct_valid(model: type[ModelT], values: dict[str, Any]) -> ModelT | None:
    """``model`` made from ``values`` as ``model.model_validate(values)`` makes it, when every
    value is certainly valid and the quick path is the cheaper one (:func:`quick_shape`); None
    otherwise (validate then: pydantic finds and words the errors).

    The models are built on first validation (``defer_build``), so a run whose entities are
    all certainly valid, and not too many, builds no pydantic validator at all.
    """
    if model not in QUICK_FIELDS or quick_shape(model) is None:
        return None
    return quick_model(model, values)


def quick_model(model: type[ModelT], values: dict[str, Any]) -> ModelT | None:
    """``model`` made from ``values`` without its validator when every value is certainly
    valid, else None (whatever the budget)."""
    if model not in QUICK_FIELDS:
        return None
    try:
        return _construct(model, values)
    except Unsure:
        return None
