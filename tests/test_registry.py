"""The registry's index: every code and name from the rule modules' file names, in sync with the
classes they define, and no rule module imported until a rule is needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kpilint import registry
from kpilint.rule import Rule

RULES_DIR = Path(registry.__file__).parent / "rules"


def test_every_rule_module_is_named_after_its_rule() -> None:
    modules = sorted(path.stem for path in RULES_DIR.glob("*.py") if path.stem != "__init__")
    assert [entry.module.rsplit(".", 1)[1] for entry in registry.entries()] == modules
    for entry in registry.entries():
        rule = entry.load()
        assert issubclass(rule, Rule)
        assert (rule.code, rule.name) == (entry.code, entry.name), entry.module


def test_entries_are_sorted_and_match_all_rules() -> None:
    codes = [entry.code for entry in registry.entries()]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert [rule.code for rule in registry.all_rules()] == codes
    assert registry.lookup("too-many-kpis") is registry.lookup("g101")
    assert registry.lookup("G101") is registry.by_key()["G101"]
    assert registry.lookup("no-such-rule") is None
    assert registry.selector_codes("G10") == [code for code in codes if code.startswith("G10")]
    assert registry.selector_codes("Q9") is None
    assert registry.selector_codes("ALL") == codes
    assert [rule.code for rule in registry.expand_selector("S20") or ()] == [
        code for code in codes if code.startswith("S20")]


def _imported_rule_modules(code: str) -> list[str]:
    """The rule modules a fresh interpreter has imported after running ``code``."""
    script = (f"import sys\n{code}\n"
              "import json; print(json.dumps(sorted(m for m in sys.modules"
              " if m.startswith('kpilint.rules.'))))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True)
    return list(json.loads(completed.stdout))


def test_selectors_and_lookups_import_only_the_rules_they_name() -> None:
    assert _imported_rule_modules(
        "from kpilint import registry\n"
        "assert registry.selector_codes('G1') and registry.entry_of('E005')\n"
        "assert registry.selector_codes('too-many-kpis') == registry.selector_codes('g101')"
        " == ['G101']\n"
        "assert len(registry.selector_suggestions()) == 2 * len(registry.entries())") == []
    assert _imported_rule_modules(
        "from kpilint import registry\nregistry.lookup('too-many-kpis')") == [
        "kpilint.rules.g101_too_many_kpis"]


def test_a_selection_imports_only_the_selected_rules(tmp_path: Path) -> None:
    (tmp_path / "kpilint.toml").write_text('select = ["G101"]\n', encoding="utf-8")
    imported = _imported_rule_modules(
        "from pathlib import Path\nfrom kpilint.config import load_config\n"
        f"config = load_config(Path({str(tmp_path / 'kpilint.toml')!r}))\n"
        "assert [rule.code for rule in config.selected_rules()] == ['E001', 'G101', 'X002']")
    assert imported == ["kpilint.rules.e001_invalid_yaml", "kpilint.rules.g101_too_many_kpis",
                        "kpilint.rules.x002_internal_error"]
