"""Python plugins (SPEC 10.7): a real plugin distribution, pip-installed into a temporary venv
that also sees this kpilint, registers rules in the ``kpilint.rules`` entry-point group."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest

from tests.conftest import TODAY, write_files

pytestmark = pytest.mark.slow

PLUGIN = '''\
"""Acme's KPI conventions as kpilint rules."""

from kpilint.diagnostics import Severity, Violation
from kpilint.rule import FileRule, ProjectRule, Scope


class NoTodo(FileRule):
    """A definition that still says TODO defines nothing yet."""

    code = "A901"
    name = "no-todo"
    severity = Severity.WARNING
    summary = "A definition still says TODO"
    url = "https://acme.example/rules/no-todo"

    def check(self, spec, context):
        for record in spec.entities:
            definition = getattr(record.model, "definition", None)
            if definition and "TODO" in definition:
                yield Violation(record.at_field("definition"),
                                f"{record.id}: MESSAGE", subject=record.id, field="definition")


class LonelyKgi(ProjectRule):
    """A goal no success factor supports."""

    code = "A902"
    name = "lonely-kgi"
    severity = Severity.INFO
    summary = "No KSF supports a KGI"
    scope = Scope.ENTITY
    kinds = ("KGI",)

    def check_unit(self, graph, record, context):
        if not graph.supporters(record.id, "KSF"):
            yield Violation(record.at_entity(), f"KGI {record.id} has no KSF", subject=record.id)


NOT_A_RULE = 42


class Clash(FileRule):
    code = "A903"
    name = "orphan-kpi"
    severity = Severity.WARNING
    summary = "takes a built-in rule's name"
'''

PYPROJECT = '''\
[build-system]
requires = ["flit_core>=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "{name}"
version = "{version}"
description = "kpilint rules for a test"

[tool.flit.module]
name = "{module}"

[project.entry-points."kpilint.rules"]
{entry_points}
'''

SPEC = """\
version: 1
kgis:
  - id: revenue
    name: Revenue
    definition: TODO write it
kpis:
  - id: leads
    name: Leads
    definition: Leads per month, counted in the CRM.
"""


@dataclass
class Environment:
    """A venv that sees this checkout's kpilint and its dependencies."""

    python: Path
    work: Path

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.python), *map(str, args)], cwd=cwd or self.work,
                              capture_output=True, text=True, timeout=600, check=False)

    def install(self, name: str, version: str, module: str, entry_points: str,
                message: str = "definition says TODO") -> None:
        source = self.work / f"{name}-{version}"
        write_files(source, {
            "pyproject.toml": PYPROJECT.format(name=name, version=version, module=module,
                                               entry_points=dedent(entry_points)),
            f"{module}.py": PLUGIN.replace("MESSAGE", message),
        })
        done = self.run("-m", "pip", "install", "-q", "--no-deps", source)
        assert done.returncode == 0, done.stderr

    def uninstall(self, name: str) -> None:
        done = self.run("-m", "pip", "uninstall", "-q", "-y", name)
        assert done.returncode == 0, done.stderr

    def kpilint(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "kpilint", *args, cwd=cwd)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    work = tmp_path_factory.mktemp("plugins")
    home = work / "venv"
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    inner = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                            "'purelib'))"], capture_output=True, text=True, check=True)
    # The venv reads this interpreter's site-packages (kpilint, installed editable, and its
    # dependencies) after its own, as a --system-site-packages venv reads the system's.
    outer = sysconfig.get_path("purelib")
    Path(inner.stdout.strip(), "outer.pth").write_text(
        f"import site; site.addsitedir({outer!r})\n", encoding="utf-8")
    environment = Environment(python, work)
    environment.install("kpilint-acme", "1.0", "kpilint_acme", """\
        no-todo = "kpilint_acme:NoTodo"
        lonely-kgi = "kpilint_acme:LonelyKgi"
        """)
    yield environment


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_files(tmp_path, {"kpilint.toml": f'today = "{TODAY}"\n', "a.kpi.yaml": SPEC})


def _findings(run: subprocess.CompletedProcess[str]) -> list[tuple[object, ...]]:
    assert run.returncode in (0, 1), run.stderr
    return [(d["code"], d["name"], d["line"], d["column"], d["end_column"], d["message"],
             d["url"]) for d in json.loads(run.stdout)["diagnostics"]]


def test_plugin_rules_run_like_built_in_ones(environment: Environment, project: Path) -> None:
    run = environment.kpilint("check", "--select", "A9", "--output-format", "json", cwd=project)
    assert _findings(run) == [
        ("A902", "lonely-kgi", 3, 5, 16, "KGI revenue has no KSF", None),
        ("A901", "no-todo", 5, 17, 30, "revenue: definition says TODO",
         "https://acme.example/rules/no-todo"),
    ]
    text = environment.kpilint("check", "--select", "no-todo", "--no-cache", cwd=project)
    assert text.stdout.splitlines()[0] == (
        "a.kpi.yaml:5:17: A901 [warning] revenue: definition says TODO")
    ignored = environment.kpilint("check", "--select", "A9", "--ignore", "lonely-kgi",
                                  "--output-format", "json", cwd=project)
    assert [row[0] for row in _findings(ignored)] == ["A901"]


def test_plugin_rules_in_sarif_suppressions_and_rule_pages(environment: Environment,
                                                           project: Path) -> None:
    sarif = environment.kpilint("check", "--select", "A901", "--output-format", "sarif",
                                cwd=project)
    [descriptor] = [rule for rule in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"][
        "rules"] if rule["id"] == "A901"]
    assert descriptor["shortDescription"]["text"] == "A definition still says TODO"
    assert descriptor["helpUri"] == "https://acme.example/rules/no-todo"
    spec = project / "a.kpi.yaml"
    spec.write_text(SPEC.replace("TODO write it", "TODO write it  # kpilint: disable=no-todo"),
                    encoding="utf-8")
    run = environment.kpilint("check", "--select", "A9", "--output-format", "json",
                              cwd=project)
    assert [row[0] for row in _findings(run)] == ["A902"]
    page = environment.kpilint("rule", "A901", cwd=project)
    assert page.stdout.splitlines()[3:6] == [
        "Default severity: warning. From the plugin module `kpilint_acme`.", "",
        "A definition that still says TODO defines nothing yet."]
    table = environment.kpilint("rules", cwd=project)
    assert [line.split()[:3] for line in table.stdout.splitlines()
            if line.startswith("A9")] == [["A901", "no-todo", "warning"],
                                         ["A902", "lonely-kgi", "info"]]


def test_a_new_plugin_version_invalidates_the_cache(environment: Environment,
                                                    project: Path) -> None:
    first = environment.kpilint("check", "--select", "A901", "--output-format", "json",
                                cwd=project)
    assert [row[5] for row in _findings(first)] == ["revenue: definition says TODO"]
    environment.install("kpilint-acme", "1.1", "kpilint_acme", """\
        no-todo = "kpilint_acme:NoTodo"
        lonely-kgi = "kpilint_acme:LonelyKgi"
        """, message="definition still says TODO")
    try:
        second = environment.kpilint("check", "--select", "A901", "--output-format", "json",
                                     cwd=project)
        assert [row[5] for row in _findings(second)] == ["revenue: definition still says TODO"]
    finally:
        environment.install("kpilint-acme", "1.0", "kpilint_acme", """\
            no-todo = "kpilint_acme:NoTodo"
            lonely-kgi = "kpilint_acme:LonelyKgi"
            """)


@pytest.mark.parametrize(("entry_point", "error"), [
    ('bad = "kpilint_bad:NOT_A_RULE"',
     "plugin bad = kpilint_bad:NOT_A_RULE (kpilint-bad 0.1): not a subclass of"
     " kpilint.rule.FileRule or kpilint.rule.ProjectRule"),
    ('bad = "kpilint_bad:Clash"',
     "plugin bad = kpilint_bad:Clash (kpilint-bad 0.1): rule A903 (orphan-kpi): 'orphan-kpi'"
     " clashes with built-in rule G102 (orphan-kpi): codes and names must be unique"),
    ('bad = "kpilint_bad:NoTodo"',
     "plugin no-todo = kpilint_acme:NoTodo (kpilint-acme 1.0): rule A901 (no-todo): 'A901'"
     " clashes with rule A901 (no-todo) of plugin bad = kpilint_bad:NoTodo (kpilint-bad 0.1):"
     " codes and names must be unique"),
    ('bad = "kpilint_missing:Rule"',
     "plugin bad = kpilint_missing:Rule (kpilint-bad 0.1): cannot be imported:"
     " ModuleNotFoundError: No module named 'kpilint_missing'"),
])
def test_a_bad_plugin_is_exit_2_naming_it(environment: Environment, project: Path,
                                          entry_point: str, error: str) -> None:
    environment.install("kpilint-bad", "0.1", "kpilint_bad", entry_point)
    try:
        run = environment.kpilint("check", cwd=project)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", f"kpilint: error: {error}\n")
    finally:
        environment.uninstall("kpilint-bad")


def test_a_pack_rule_clashing_with_a_plugin_rule(environment: Environment,
                                                 project: Path) -> None:
    write_files(project, {
        "kpilint.toml": 'rule-packs = ["p.yaml"]\n',
        "p.yaml": "rules: [{code: C001, name: no-todo, severity: warning, message: m,"
                  " given: kpis, then: {field: id, required: true}}]\n"})
    run = environment.kpilint("check", cwd=project)
    assert (run.returncode, run.stderr) == (
        2, "kpilint: error: p.yaml: rule C001 (no-todo): 'no-todo' clashes with plugin rule"
           " A901 (no-todo, kpilint_acme): codes and names must be unique\n")


def test_no_plugin_is_read_without_need() -> None:
    """``kpilint --version`` and the registry of built-in rules import no plugin machinery."""
    probe = ("import sys, kpilint.cli, kpilint.registry; kpilint.registry.all_rules();"
             " print('kpilint.custom.plugins' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "False\n"
