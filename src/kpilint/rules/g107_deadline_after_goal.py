"""G107 deadline-after-goal: a KPI's deadline falls after the deadline of a KGI it reaches."""

from typing import cast

from kpilint.build import EntityRecord
from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kpi
from kpilint.rule import Context, ProjectRule, Scope


class DeadlineAfterGoal(ProjectRule):
    """Deadlines compare as days; YYYY-MM and YYYY-Qn count as their period's last day."""

    code = "G107"
    name = "deadline-after-goal"
    severity = Severity.WARNING
    summary = "A KPI's deadline falls after the deadline of the goal it serves"

    scope = Scope.ENTITY
    kinds = ("KPI",)
    reads = frozenset({"deadline"})

    def units(self, graph: ProjectGraph) -> list[AnyRecord]:
        """Only a KPI due after one of the KGIs it reaches has a finding: the whole run checks
        those alone, from the KPI facts (a change checks every KPI it reaches)."""
        facts = graph.kpi_facts()
        goals = facts.goal_deadlines
        late: list[AnyRecord] = []
        for record, deadline, reached in zip(facts.records, facts.deadlines, facts.reached,
                                             strict=True):
            if deadline is not None:
                for kgi_id in reached:
                    goal = goals.get(kgi_id)
                    if goal is not None and deadline > goal:
                        late.append(record)
                        break
        return late

    def check_unit(self, graph: ProjectGraph, record: AnyRecord,
                   context: Context) -> list[Violation]:
        """A list, not a generator: most KPIs are due in time, and are done at once."""
        kpi = cast("EntityRecord[Kpi]", record)
        deadline = kpi.model.deadline
        found: list[Violation] = []
        if deadline is None:
            return found
        for kgi in graph.kgis_reached[kpi.id]:
            goal_deadline = kgi.model.deadline
            if goal_deadline is not None and deadline > goal_deadline:
                found.append(Violation(
                    kpi.at_field("deadline"),
                    f"KPI '{kpi.id}' is due {deadline.isoformat()}, after its KGI"
                    f" '{kgi.id}' ({goal_deadline.isoformat()}): a KPI must show progress"
                    " before the goal is judged; move the deadline earlier",
                    subject=kpi.id, field="deadline",
                    related=(Related(kgi.at_field("deadline"), f"KGI '{kgi.id}' deadline"),)))
        return found
