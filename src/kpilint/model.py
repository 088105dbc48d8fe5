"""The pydantic models of spec format v1: the single source of truth for the format.

``schemas/kpi-spec.schema.json`` is generated from :class:`SpecDocument`. The loader's nodes are
turned into these models entity by entity (see :mod:`kpilint.build`), so one bad field never hides
the rest of the file.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from typing import Annotated, Any, ClassVar, Literal, Union

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
    return datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])


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

    model_config = ConfigDict(extra="forbid")

    value: Number
    as_of: Day | None = None


BaselineField = Annotated[
    Baseline,
    BeforeValidator(_number_to_baseline, json_schema_input_type=float | Baseline),
    Field(description="a number, or {value, as_of}"),
]


class Band(BaseModel):
    """A standing target: the value must stay at or above ``min`` and/or at or below ``max``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
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

    model_config = ConfigDict(extra="forbid")

    value: Number
    as_of: Day


EXTENSION_KEYS: JsonDict = {"patternProperties": {"^x-": {"description": "free extension field"}}}


class Entity(BaseModel):
    """Fields every entity kind shares."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=EXTENSION_KEYS)
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
