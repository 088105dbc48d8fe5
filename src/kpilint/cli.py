"""The ``kpilint`` command line (SPEC §7).

Exit codes: 0 nothing at or above ``fail-on``; 1 findings; 2 usage, config or internal error
(one line on stderr, nothing on stdout), or X002 (the findings are still printed).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from kpilint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A mistake on the command line; its message is the one line shown."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _rule_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    from kpilint.report import FORMATS

    parser = _Parser(prog="kpilint", description="Lint KPI-as-code specs (KGI -> KSF -> KPI).")
    parser.add_argument("--version", action="version", version=f"kpilint {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    check = commands.add_parser("check", help="lint spec files (default: the project)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    check.add_argument("--output-format", choices=FORMATS, default=None,
                       help="how to print findings (default: text)")
    check.add_argument("--output-file", type=Path, help="write the report to FILE")
    check.add_argument("--select", action="append", type=_rule_list, default=None,
                       help="rules to enable: codes, prefixes, names or ALL (replaces config)")
    check.add_argument("--extend-select", action="append", type=_rule_list, default=[],
                       help="rules to enable on top of the selection")
    check.add_argument("--ignore", action="append", type=_rule_list, default=[],
                       help="rules to disable")
    check.add_argument("--config", type=Path, help="use this config file; its folder is the root")
    check.add_argument("--fail-on", choices=("error", "warning", "info"),
                       help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--today", type=_date, help="the date time rules compare with")
    check.add_argument("--force-exclude", action="store_true", default=None,
                       help="apply exclude to files named on the command line too")
    check.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    check.add_argument("--no-color", action="store_true", help="never color the output")
    check.add_argument("--debug", action="store_true", help="show tracebacks of crashes")

    rule = commands.add_parser("rule", help="print the documentation of a rule")
    rule.add_argument("rule", metavar="CODE|NAME")
    commands.add_parser("rules", help="list all rules")
    commands.add_parser("schema", help="print the JSON Schema of spec files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        args = build_parser().parse_args(arguments)
        return _dispatch(args)
    except UsageError as error:
        return _fail(f"kpilint: error: {error}")
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        return _fail("kpilint: interrupted")
    except Exception as error:  # no traceback ever reaches a user
        from kpilint.config import ConfigError

        if isinstance(error, ConfigError):
            return _fail(f"kpilint: error: {error}")
        if debug:
            traceback.print_exc()
        return _fail(f"kpilint: internal error: {type(error).__name__}: {error}"
                     " (rerun with --debug for the traceback)")


def _fail(line: str) -> int:
    print(line, file=sys.stderr)
    return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "rule":
        return _rule(args.rule)
    if args.command == "rules":
        return _rules()
    if args.command == "schema":
        from kpilint.schema import spec_schema_text

        sys.stdout.write(spec_schema_text())
        return EXIT_OK
    build_parser().print_help()
    return EXIT_OK


def _flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    if groups is None:
        return None
    return tuple(item for group in groups for item in group)


def _check(args: argparse.Namespace) -> int:
    from kpilint.checker import CheckOptions, run_check
    from kpilint.config import RuleSelection
    from kpilint.diagnostics import Severity
    from kpilint.report import RenderOptions, renderer

    # A check is a short batch run whose node trees hold no reference cycles: the cyclic
    # collector would only rescan them (it costs about half the load time on large projects).
    gc.disable()
    output_format = args.output_format or "text"
    options = CheckOptions(
        paths=args.paths,
        config_file=args.config,
        selection=RuleSelection(_flatten(args.select), _flatten(args.extend_select) or (),
                                _flatten(args.ignore) or ()),
        today=args.today,
        force_exclude=args.force_exclude,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        progress=sys.stderr.isatty(),
    )
    outcome = run_check(options)
    to_terminal = args.output_file is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color and "NO_COLOR" not in os.environ
    text = renderer(output_format)(outcome.result, RenderOptions(color=color, quiet=args.quiet))
    if args.output_file is not None:
        _write_report(args.output_file, text)
    else:
        sys.stdout.write(text)
    if outcome.crashes:
        if args.debug:
            for crash in outcome.crashes:
                sys.stderr.write(crash)
        return EXIT_ERROR
    return EXIT_FINDINGS if outcome.failed and not args.exit_zero else EXIT_OK


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _rule(key: str) -> int:
    from kpilint import registry
    from kpilint.build import did_you_mean, suggestion_suffix
    from kpilint.resources import data_path

    rule = registry.lookup(key)
    if rule is None:
        matches = did_you_mean(key, registry.selector_suggestions())
        raise UsageError(f"unknown rule {key!r}{suggestion_suffix(matches)}; `kpilint rules`"
                         " lists them all")
    page = data_path("rules", f"{rule.name}.md")
    try:
        sys.stdout.write(page.read_text(encoding="utf-8"))
    except OSError:
        raise UsageError(f"the documentation page of {rule.code} is missing ({page})") from None
    return EXIT_OK


def _rules() -> int:
    from kpilint import registry

    rows = [(rule.code, rule.name, rule.severity.label, rule.summary)
            for rule in registry.all_rules()]
    header = ("code", "name", "severity", "summary")
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(3)]
    for row in (header, *rows):
        sys.stdout.write("  ".join(
            cell.ljust(widths[index]) if index < 3 else cell
            for index, cell in enumerate(row)).rstrip() + "\n")
    return EXIT_OK
