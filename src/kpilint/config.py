"""Configuration: find it, validate it (JSON Schema + each rule's declared options), resolve it.

Any problem is a :class:`ConfigError` whose text is one line naming the file, the key, the
problem and, where one is close, a "did you mean".
"""

from __future__ import annotations

import datetime
import functools
import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from kpilint import registry
from kpilint.diagnostics import Severity, plural
from kpilint.limits import Limits
from kpilint.quickschema import certainly_valid
from kpilint.resources import data_path
from kpilint.rule import Rule

CONFIG_NAMES = ("kpilint.toml", ".kpilint.toml", "pyproject.toml")
DEFAULT_INCLUDE = ("**/*.kpi.yaml", "**/*.kpi.yml", "**/kpis.yaml", "**/kpis.yml")
DEFAULT_CACHE_DIR = ".kpilint_cache"
DEFAULT_EXCLUDE = (
    ".git", ".hg", "node_modules", ".venv", "venv", "__pycache__", "build", "dist",
    ".kpilint_cache",
)
LIMIT_KEYS = {"max-file-bytes": "max_file_bytes", "max-depth": "max_depth",
              "max-nodes": "max_nodes"}
LIMIT_REASONS = {"limits.max-depth": " (libyaml refuses deeper nesting itself)"}


class ConfigError(Exception):
    """An invalid configuration or option; the message is the one line the user sees."""


@dataclass(frozen=True, slots=True)
class RuleSelection:
    """One layer of select / extend-select / ignore (the config's, then the command line's)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(slots=True)
class Config:
    """A project's resolved configuration."""

    path: Path | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    force_exclude: bool = False
    respect_gitignore: bool = True
    cache_dir: str = DEFAULT_CACHE_DIR
    selections: list[RuleSelection] = field(default_factory=list)
    fail_on: Severity = Severity.WARNING
    today: datetime.date | None = None
    severities: dict[str, Severity] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared_options: dict[str, list[str]] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    allow_suppressions: bool = True
    require_suppression_reason: bool = False
    dbt_project: str | None = None
    origins: dict[str, str] = field(default_factory=dict)
    rule_packs: tuple[Path, ...] = ()
    pack_rules: tuple[type[Rule], ...] = ()
    dialects: dict[str, str] = field(default_factory=dict)
    """Globs (relative to the root) of files read in a dialect, and its name (SPEC 10.5)."""

    def dialect_of(self, relative_path: str) -> str | None:
        """The dialect a root-relative path is read in (the last matching glob wins), if any."""
        for pattern, name in reversed(self.dialects.items()):
            if _glob(pattern).match_file(relative_path):
                return name
        return None

    def origin(self, key: str) -> str:
        """Where a setting's value came from: "default", a config file, or "command line"."""
        return self.origins.get(key, "default")

    def ignored_in(self, relative_path: str) -> frozenset[str]:
        """Rule codes that ``per-file-ignores`` turns off for a root-relative path."""
        codes: set[str] = set()
        for pattern, selectors in self.per_file_ignores.items():
            if _glob(pattern).match_file(relative_path):
                for selector in selectors:
                    codes.update(registry.selector_codes(selector) or ())
        return frozenset(codes - registry.UNSUPPRESSIBLE)

    def selected_rules(self) -> list[type[Rule]]:
        """The rules this configuration enables, by specificity as in ruff."""
        rules = self.available_entries()
        enabled = {rule.code for rule in rules}
        for layer in self.selections:
            enabled = _apply_selection(enabled, layer, rules)
        enabled |= registry.UNSUPPRESSIBLE
        return [rule.load() for rule in rules if rule.code in enabled]

    def available_entries(self) -> list[registry.RuleEntry]:
        """Built-in rules, plugin rules and the rules of this config's packs (SPEC 10.7)."""
        from kpilint.custom import active_entries

        return active_entries(self.pack_rules)

    def severity_of(self, rule: type[Rule]) -> Severity:
        return self.severities.get(rule.code, rule.severity)

    def make_rule(self, rule: type[Rule]) -> Rule:
        return rule(self.options_of(rule))

    def options_of(self, rule: type[Rule]) -> dict[str, Any]:
        """The rule's own options, with the shared lists (``[indicators]``) it declares before
        its own entries."""
        options = dict(self.rule_options.get(rule.code, {}))
        for key, shared in self.shared_options.items():
            if key in rule.options:
                options[key] = [*shared, *options.get(key, [])]
        return options


@functools.cache
def _glob(pattern: str) -> Any:
    from kpilint.globs import glob_spec

    return glob_spec([pattern])


def _suggestion(word: str, candidates: list[str]) -> str:
    """`` (did you mean 'x'?)`` for close matches of ``word``, else "" (an error's wording: the
    builder, and with it pydantic, is imported only then)."""
    from kpilint.build import did_you_mean, suggestion_suffix

    return suggestion_suffix(did_you_mean(word, candidates))


def check_dialect(name: str, where: str) -> None:
    """A dialect name must be one kpilint knows."""
    from kpilint.dialects import dialects

    if name not in dialects():
        known = list(dialects())
        raise ConfigError(f"{where}: unknown dialect {name!r}"
                          f"{_suggestion(name, known)}"
                          f" (dialects: {', '.join(known)})")


def _specificity(selector: str, rule: registry.RuleEntry) -> int:
    """How precisely ``selector`` names ``rule`` (0: not at all)."""
    upper = selector.upper()
    if upper == "ALL":
        return 1
    if selector in (rule.code, rule.name) or upper == rule.code:
        return 10
    if rule.code.startswith(upper) and registry.CODE_PATTERN.match(rule.code):
        return 1 + len(upper)
    return 0


def _apply_selection(enabled: set[str], layer: RuleSelection,
                     rules: list[registry.RuleEntry]) -> set[str]:
    result = set(enabled)
    for rule in rules:
        chosen = 0 if layer.select is None else max(
            (_specificity(sel, rule) for sel in layer.select), default=0)
        extended = max((_specificity(sel, rule) for sel in layer.extend_select), default=0)
        ignored = max((_specificity(sel, rule) for sel in layer.ignore), default=0)
        wanted = max(chosen, extended)
        if layer.select is not None:
            selected = wanted > ignored
        else:
            selected = (rule.code in enabled or extended > 0) and (
                ignored == 0 or wanted > ignored)
        (result.add if selected else result.discard)(rule.code)
    return result


def find_config_in(directory: Path) -> Path | None:
    """The config file of ``directory`` itself, if it has one."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        if not candidate.is_file():
            continue
        if name != "pyproject.toml" or _pyproject_has_section(candidate):
            return candidate
    return None


def _pyproject_has_section(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return b"[tool.kpilint" in _read_bytes(path)
    return isinstance(data.get("tool"), dict) and "kpilint" in data["tool"]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def load_config(path: Path) -> Config:
    """Read and validate a config file."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        data: Mapping[str, Any] = tomllib.loads(raw.decode("utf-8"))
        prefix = ""
        if path.name == "pyproject.toml":
            data, prefix = _tool_table(data, path), "tool.kpilint."
        return parse_config(data, path, prefix)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path}: not UTF-8: byte 0x{raw[error.start]:02x} on line {line}"
                          " (save the file as UTF-8)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid config: values are nested too deeply") from None


def _tool_table(data: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """The ``[tool.kpilint]`` table of a pyproject.toml (empty when there is none)."""
    table: Any = data
    for key in ("tool", "kpilint"):
        table = table.get(key, {})
        if not isinstance(table, Mapping):
            name = "tool" if key == "tool" else "tool.kpilint"
            raise ConfigError(f"{path}: key `{name}`: must be a table, not {table!r}")
    return cast(Mapping[str, Any], table)


def parse_config(data: Mapping[str, Any], path: Path | None, prefix: str = "") -> Config:
    """Validate a config table and resolve it into a :class:`Config`."""
    where = str(path) if path else "configuration"
    plain = _jsonable(data)
    _validate_schema(plain, where, prefix)
    config = Config(path=path)
    config.origins = {key: where for key in data if not isinstance(data[key], Mapping)}
    config.origins.update({
        f"{table}.{key}": where
        for table in ("severity", "rules", "limits", "per-file-ignores", "indicators",
                      "dialects")
        for key in data.get(table, {})})
    for key in ("include", "exclude", "extend-exclude"):
        check_globs(data.get(key, ()), f"{where}: key `{prefix}{key}`")
    check_globs(data.get("per-file-ignores", {}), f"{where}: key `{prefix}per-file-ignores`")
    if "rule-packs" in data:  # first: selectors and severities may name their rules
        from kpilint.custom import load_packs

        config.rule_packs, config.pack_rules = load_packs(
            data["rule-packs"], path.parent if path else Path(),
            f"{where}: key `{prefix}rule-packs`")
    if "include" in data:
        config.include = tuple(data["include"])
    if "exclude" in data:
        config.exclude = tuple(data["exclude"])
    config.exclude += tuple(data.get("extend-exclude", ()))
    config.force_exclude = data.get("force-exclude", False)
    config.respect_gitignore = data.get("respect-gitignore", True)
    config.cache_dir = data.get("cache-dir", DEFAULT_CACHE_DIR)
    selectors = {key: tuple(data[key]) for key in ("select", "extend-select", "ignore")
                 if key in data}
    for key, values in selectors.items():
        check_selectors(values, f"{where}: key `{prefix}{key}`")
    config.selections.append(RuleSelection(
        selectors.get("select"), selectors.get("extend-select", ()), selectors.get("ignore", ())))
    if "fail-on" in data:
        config.fail_on = Severity.parse(data["fail-on"])
    if "today" in data:
        config.today = parse_today(str(plain["today"]), f"{where}: key `{prefix}today`")
    for key, level in data.get("severity", {}).items():
        rule = _rule_for(key, f"{where}: key `{prefix}severity.{key}`")
        config.severities[rule.code] = Severity.parse(level)
    for key, options in data.get("rules", {}).items():
        rule = _rule_for(key, f"{where}: key `{prefix}rules.{key}`")
        config.rule_options[rule.code] = validate_options(
            rule, options, f"{where}: key `{prefix}rules.{key}")
    config.shared_options = dict(data.get("indicators", {}))
    limits = data.get("limits", {})
    config.limits = Limits(**{LIMIT_KEYS[key]: value for key, value in limits.items()})
    for pattern, selectors in data.get("per-file-ignores", {}).items():
        check_selectors(selectors, f"{where}: key `{prefix}per-file-ignores.{pattern}`")
        config.per_file_ignores[pattern] = tuple(selectors)
    check_globs(data.get("dialects", {}), f"{where}: key `{prefix}dialects`")
    for pattern, name in data.get("dialects", {}).items():
        check_dialect(name, f"{where}: key `{prefix}dialects.{pattern}`")
        config.dialects[pattern] = name
    config.allow_suppressions = data.get("allow-suppressions", True)
    config.require_suppression_reason = data.get("require-suppression-reason", False)
    if "dbt-project" in data:
        config.dbt_project = check_dbt_project(data["dbt-project"], path,
                                               f"{where}: key `{prefix}dbt-project`")
    return config


def check_dbt_project(value: str, path: Path | None, where: str) -> str:
    """Config ``dbt-project`` (SPEC 10.6): a directory under the root (the config's directory)
    holding ``dbt_project.yml``; returned as a POSIX path relative to the root."""
    if path is None:
        return value
    root = path.parent.resolve()
    directory = (root / value).resolve()
    if directory != root and root not in directory.parents:
        raise ConfigError(f"{where}: {value!r} is outside the project root {root}; the dbt"
                          " project must lie under it")
    if not (directory / "dbt_project.yml").is_file():
        raise ConfigError(f"{where}: {value!r} holds no dbt_project.yml")
    return directory.relative_to(root).as_posix()


def parse_today(text: str, where: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not a date (use YYYY-MM-DD)") from None


def check_globs(patterns: Iterable[str], where: str) -> None:
    """Every glob must be a valid gitignore-style pattern."""
    patterns = list(patterns)
    if not patterns:
        return
    from kpilint.globs import InvalidGlob, glob_spec

    try:
        glob_spec(patterns)
    except InvalidGlob as error:
        raise ConfigError(f"{where}: {error}") from None


def did_you_mean(word: str, candidates: list[str]) -> list[str]:
    """:func:`kpilint.build.did_you_mean`, imported only when a setting names something unknown
    (``kpilint.build`` loads the models, which a run answered from the cache never needs)."""
    from kpilint import build

    return build.did_you_mean(word, candidates)


def suggestion_suffix(matches: list[str]) -> str:
    """:func:`kpilint.build.suggestion_suffix`, imported as :func:`did_you_mean` is."""
    from kpilint import build

    return build.suggestion_suffix(matches)


def check_selectors(values: Iterable[str], where: str) -> None:
    """Every selector must name a rule, a code prefix or ALL."""
    for value in values:
        if registry.selector_codes(value) is None:
            raise ConfigError(f"{where}: {value!r} matches no rule"
                              f"{_suggestion(value, registry.selector_suggestions())}")


def _rule_for(key: str, where: str) -> type[Rule]:
    rule = registry.lookup(key)
    if rule is None:
        raise ConfigError(f"{where}: no rule named {key!r}"
                          f"{_suggestion(key, registry.selector_suggestions())}")
    return rule


def validate_options(rule: type[Rule], options: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check a rule's options against the types it declares."""
    for key, value in options.items():
        option = rule.options.get(key)
        if option is None:
            known = list(rule.options)
            hint = _suggestion(key, known) or (
                f" (options: {', '.join(known)})" if known else " (this rule has no options)")
            raise ConfigError(f"{where}.{key}`: unknown option of {rule.name}{hint}")
        if certainly_valid(_jsonable(value), option.schema):
            continue
        import jsonschema  # only to find and word the error

        try:
            jsonschema.validate(_jsonable(value), dict(option.schema))
        except jsonschema.ValidationError as error:
            inner = "".join(f".{part}" for part in error.absolute_path)
            raise ConfigError(f"{where}.{key}{inner}`: {_schema_message(error)}") from None
    return dict(options)


def _jsonable(value: Any) -> Any:
    """TOML values as JSON values (dates become ISO strings)."""
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value


@functools.cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration (``schemas/kpilint-config.schema.json``)."""
    schema: dict[str, Any] = json.loads(
        data_path("schemas", "kpilint-config.schema.json").read_text("utf-8"))
    return schema


def _validate_schema(data: Mapping[str, Any], where: str, prefix: str) -> None:
    schema = config_schema()
    if certainly_valid(data, schema):
        return
    import jsonschema  # only to find and word the error

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda err: list(err.absolute_path))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in known]
        key = f"{path}.{extra[0]}" if path else extra[0]
        raise ConfigError(f"{where}: key `{prefix}{key}`: unknown key"
                          f"{_suggestion(extra[0], known)}")
    key_text = f"key `{prefix}{path}`" if path else "top level"
    raise ConfigError(f"{where}: {key_text}: {_schema_message(error)}"
                      f"{LIMIT_REASONS.get(path, '') if error.validator == 'maximum' else ''}")


def _schema_message(error: Any) -> str:
    """kpilint's own wording of a JSON Schema failure (jsonschema's may change between releases)."""
    value, expected = error.instance, error.validator_value
    wording: Callable[[], str] | None = {
        "type": lambda: f"{value!r} is not of type "
                        + " or ".join(repr(kind) for kind in _as_list(expected)),
        "enum": lambda: f"{value!r} is not one of {', '.join(repr(item) for item in expected)}",
        "minimum": lambda: f"{value!r} is less than the minimum of {expected!r}",
        "maximum": lambda: f"{value!r} is greater than the maximum of {expected!r}",
        "exclusiveMinimum": lambda: f"{value!r} must be greater than {expected!r}",
        "minItems": lambda: f"needs at least {plural(expected, 'item')}",
        "minLength": lambda: f"{value!r} is shorter than {plural(expected, 'character')}",
        "uniqueItems": lambda: f"{value!r} repeats an item",
        "pattern": lambda: f"{value!r} does not match {expected!r}",
    }.get(error.validator)
    return wording() if wording else str(error.message)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
