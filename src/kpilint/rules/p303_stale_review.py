"""P303 stale-review: the KPI or KGI was last reviewed too long ago."""

from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import describe
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, Option, measured_entities


class StaleReview(FileRule):
    """`last_reviewed` more than `max-age-days` before today."""

    code = "P303"
    name = "stale-review"
    severity = Severity.WARNING
    summary = "A KPI or KGI has not been reviewed for so long it may be set and forgotten"
    options: ClassVar[Mapping[str, Option]] = {
        "max-age-days": Option(183, {"type": "integer", "minimum": 1},
                               "most days allowed since `last_reviewed`"),
    }

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        limit: int = self.option("max-age-days")
        for record in measured_entities(spec):
            reviewed = getattr(record.model, "last_reviewed", None)
            if reviewed is None:
                continue
            age = (context.today - reviewed).days
            if age <= limit:
                continue
            yield Violation(
                record.at_field("last_reviewed"),
                f"{describe(record)} was last reviewed {age} days ago ({reviewed.isoformat()},"
                f" more than {limit}): check it still measures the right thing with the right"
                " target, then update `last_reviewed`",
                subject=record.id, field="last_reviewed")
