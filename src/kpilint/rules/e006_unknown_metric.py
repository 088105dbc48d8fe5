"""E006 unknown-metric: a `source: dbt:<metric_name>` names no metric of the dbt project.

The dbt project and its metrics come from :mod:`kpilint.dbt` (SPEC 10.6). When the root holds no
dbt project, each file gets one finding, at its first `dbt:` source, saying so.
"""

from collections.abc import Iterator

from kpilint.build import SpecFile, did_you_mean, suggestion_suffix
from kpilint.dbt import PREFIX, metric_name
from kpilint.diagnostics import Severity, Violation
from kpilint.rule import Context, FileRule, measured_entities


class UnknownMetric(FileRule):
    """Reported at the `source` value."""

    code = "E006"
    name = "unknown-metric"
    severity = Severity.ERROR
    summary = "A `source: dbt:<metric>` names no metric of the project's dbt semantic layer"

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        linked = [(record, name) for record in measured_entities(spec)
                  if (source := getattr(record.model, "source", None))  # most are not dbt's
                  and source.startswith(PREFIX) and (name := metric_name(source)) is not None]
        if not linked:
            return
        linked.sort(key=lambda pair: pair[0].line)
        dbt = context.dbt
        if dbt is None or dbt.directory is None:
            record, name = linked[0]
            yield Violation(record.at_field("source"),
                            f"`source` of {record.kind} '{record.id}' names dbt metric"
                            f" '{name}', but no dbt project was found under the project root"
                            " (no dbt_project.yml): add the dbt project, or set `dbt-project`"
                            " in the config", subject=record.id, field="source")
            return
        metrics = dbt.metrics
        for record, name in linked:
            if name in metrics:
                continue
            if not name:
                problem = "names no dbt metric: write `dbt:<metric_name>`"
            else:
                matches = did_you_mean(name, list(metrics))
                problem = (f"names dbt metric '{name}', which the dbt project"
                           f" '{dbt.shown()}' does not define{suggestion_suffix(matches)}")
            yield Violation(record.at_field("source"),
                            f"`source` of {record.kind} '{record.id}' {problem}",
                            subject=record.id, field="source")
