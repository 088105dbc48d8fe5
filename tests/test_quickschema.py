"""The quick validity check never calls an invalid value valid, and spares valid configs the
jsonschema import."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kpilint import registry
from kpilint.config import config_schema
from kpilint.quickschema import certainly_valid

SAMPLES: list[Any] = [
    None, True, False, 0, 1, -1, 5, 998, 999, 1.0, 0.5, -0.5, "", "x", "kgi", "scope", "error",
    "warning", "info", "loud", "2026-11-23", "2026-13-99", "23/11/2026", "G1", "ALL",
    [], [""], ["a"], ["a", "a"], ["kgi", "scope"], [1], [True], [1, True], {}, {"a": 1},
]


def _configs(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Config tables mixing real keys (and a few unknown ones) with values of every shape."""
    keys = [*config_schema()["properties"], "unknown-key"]
    tables = {"severity": ["G101", "too-many-kpis"], "rules": ["G101", "p303"],
              "per-file-ignores": ["*.kpi.yaml"], "limits": ["max-depth", "max-nodes", "x"],
              "indicators": ["extend-leading", "extend-lagging", "x"]}
    found = []
    for _ in range(count):
        config: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(0, 5)):
            if key in tables and rng.random() < 0.7:
                config[key] = {inner: rng.choice(SAMPLES) for inner in
                               rng.sample(tables[key], rng.randint(0, len(tables[key])))}
            else:
                config[key] = rng.choice(SAMPLES)
        found.append(config)
    return found


def _valid(value: Any, schema: dict[str, Any]) -> bool:
    return not list(jsonschema.Draft202012Validator(schema).iter_errors(value))


@pytest.mark.parametrize("seed", range(3))
def test_never_valid_when_jsonschema_finds_an_error(seed: int) -> None:
    rng = random.Random(seed)
    schema = config_schema()
    verdicts = [(certainly_valid(config, schema), _valid(config, schema))
                for config in _configs(rng, 400)]
    assert not [pair for pair in verdicts if pair == (True, False)]
    assert (True, True) in verdicts and (False, False) in verdicts


def test_rule_option_schemas() -> None:
    schemas = [dict(option.schema) for rule in registry.all_rules()
               for option in rule.options.values()]
    assert schemas
    values = SAMPLES + [list(pair) for pair in itertools.product(SAMPLES[:12], repeat=2)]
    for schema, value in itertools.product(schemas, values):
        if certainly_valid(value, schema):
            assert _valid(value, schema), (schema, value)
    assert certainly_valid(["kgi", "scope"], {"type": "array", "minItems": 1,
                                              "uniqueItems": True,
                                              "items": {"enum": ["kgi", "scope"]}})


def test_common_configs_are_known_valid() -> None:
    schema = config_schema()
    for config in ({}, {"today": "2026-11-23"},
                   {"select": ["ALL"], "ignore": ["S2"], "fail-on": "error",
                    "limits": {"max-depth": 64}, "severity": {"G101": "info"},
                    "rules": {"too-many-kpis": {"max": 7}}, "exclude": ["drafts/"],
                    "per-file-ignores": {"legacy/*": ["S"]}, "respect-gitignore": False,
                    "indicators": {"extend-leading": ["pipeline"]}}):
        assert certainly_valid(config, schema), config
    assert not certainly_valid({"limits": {"max-depth": 999}}, schema)
    assert not certainly_valid({"fail-on": "loud"}, schema)
    assert not certainly_valid({"selct": ["G1"]}, schema)
    assert not certainly_valid({"today": 20261123}, schema)


def test_a_valid_config_does_not_import_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "kpilint.toml").write_text(
        'today = 2026-11-23\nselect = ["ALL"]\n[rules.too-many-kpis]\nmax = 7\n',
        encoding="utf-8")
    script = ("import sys\nfrom pathlib import Path\nfrom kpilint.config import load_config\n"
              f"config = load_config(Path({str(tmp_path / 'kpilint.toml')!r}))\n"
              "assert str(config.today) == '2026-11-23', config.today\n"
              "print('jsonschema' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True)
    assert completed.stdout == "False\n"
