"""G101 too-many-kpis: more than `max` KPIs drive one KGI (or one scope)."""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import EntityRecord
from kpilint.diagnostics import Location, Severity, Violation
from kpilint.graph import AnyRecord, ProjectGraph
from kpilint.model import Kpi
from kpilint.rule import Context, Option, ProjectRule, Scope


class TooManyKpis(ProjectRule):
    """Counts the distinct KPIs reaching each KGI, and optionally those of each scope."""

    code = "G101"
    name = "too-many-kpis"
    severity = Severity.WARNING
    summary = "A goal (or a scope) is tracked by more KPIs than a team can focus on"
    options: ClassVar[Mapping[str, Option]] = {
        "max": Option(5, {"type": "integer", "minimum": 1},
                      "most KPIs allowed per KGI (and per scope)"),
        "per": Option(["kgi"], {"type": "array", "minItems": 1, "uniqueItems": True,
                                "items": {"enum": ["kgi", "scope"]}},
                      "what to count per: kgi, scope, or both"),
    }

    scope = Scope.GOAL
    reads = frozenset({"scope"})

    @property
    def effective_scope(self) -> Scope:
        """Counting per scope (or per dialect org) reads every KPI of the project."""
        return Scope.PROJECT if "scope" in self.option("per") or self.dialects else Scope.GOAL

    def units(self, graph: ProjectGraph) -> list[AnyRecord]:
        """Only a KGI that more than ``max`` KPIs reach has a finding: a whole run checks those
        alone (a change checks every goal it reaches)."""
        limit: int = self.option("max")
        graph.reach_every_goal()
        reaching = graph.kpis_reaching.ids
        return [kgi for kgi in graph.kgis if len(reaching(kgi.id)) > limit]

    def check(self, graph: ProjectGraph, context: Context) -> Iterator[Violation]:
        if "kgi" in self.option("per"):
            for kgi in self.units(graph):
                yield from self.check_unit(graph, kgi, context)
        if "scope" in self.option("per"):
            yield from self._per_scope(graph, self.option("max"), dialect_only=False)
        elif self.dialects:  # a dialect's orgs are counted whatever `per` says (SPEC 10.5)
            yield from self._per_scope(graph, self.option("max"), dialect_only=True)

    def check_unit(self, graph: ProjectGraph, kgi: AnyRecord,
                   context: Context) -> Iterator[Violation]:
        limit: int = self.option("max")
        kpis = graph.kpis_reaching[kgi.id]
        if len(kpis) > limit:
            yield Violation(
                kgi.at_entity(),
                f"KGI '{kgi.id}' has {len(kpis)} KPIs; keep at most {limit}: a few"
                " key indicators steer better than many (demote the rest to plain"
                " metrics)",
                subject=kgi.id, related=graph.as_related(kpis))

    def _per_scope(self, graph: ProjectGraph, limit: int,
                   dialect_only: bool) -> Iterator[Violation]:
        declared: dict[str, Location] = {}
        for spec in graph.files:
            for scope, location in spec.scopes:
                declared.setdefault(scope, location)
        members: dict[str, list[EntityRecord[Kpi]]] = defaultdict(list)
        for kpi in graph.kpis:
            if kpi.scope is not None and not (dialect_only and kpi.dialect is None):
                members[kpi.scope].append(kpi)
        for scope, kpis in members.items():
            if len(kpis) > limit:
                what = ("org", "key indicators (`is_key: true`)") if all(
                    kpi.dialect for kpi in kpis) else ("scope", "KPIs")
                yield Violation(
                    declared[scope],
                    f"{what[0]} '{scope}' has {len(kpis)} {what[1]}; keep at most {limit}",
                    related=graph.as_related(kpis))
