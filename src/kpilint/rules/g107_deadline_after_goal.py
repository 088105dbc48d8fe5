"""G107 deadline-after-goal: a KPI's deadline falls after the deadline of a KGI it reaches."""

from collections.abc import Iterator

from kpilint.diagnostics import Related, Severity, Violation
from kpilint.graph import ProjectGraph
from kpilint.rule import Context, ProjectRule


class DeadlineAfterGoal(ProjectRule):
    """Deadlines compare as days; YYYY-MM and YYYY-Qn count as their period's last day."""

    code = "G107"
    name = "deadline-after-goal"
    severity = Severity.WARNING
    summary = "A KPI's deadline falls after the deadline of the goal it serves"

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        for kpi in graph.kpis:
            deadline = kpi.model.deadline
            if deadline is None:
                continue
            for kgi in graph.kgis_reached[kpi.id]:
                goal_deadline = kgi.model.deadline
                if goal_deadline is not None and deadline > goal_deadline:
                    yield Violation(
                        kpi.at_field("deadline"),
                        f"KPI '{kpi.id}' is due {deadline.isoformat()}, after its KGI"
                        f" '{kgi.id}' ({goal_deadline.isoformat()}): a KPI must show progress"
                        " before the goal is judged; move the deadline earlier",
                        subject=kpi.id, field="deadline",
                        related=(Related(kgi.at_field("deadline"), f"KGI '{kgi.id}' deadline"),))
