"""The ``kpilint`` command line (SPEC §7).

Exit codes: 0 nothing at or above ``fail-on``; 1 findings; 2 usage, config or internal error
(one line on stderr, nothing on stdout), or X002 (the findings are still printed).
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import datetime
import functools
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from kpilint import __version__
from kpilint.diagnostics import plural

if TYPE_CHECKING:
    from kpilint.cache import Utf8
    from kpilint.checker import CheckOptions, CheckOutcome
    from kpilint.diagnostics import Diagnostic
    from kpilint.fixes import FixedFile
    from kpilint.project import ProjectPlan
    from kpilint.report import RunResult
    from kpilint.rule import Rule

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STALE_WORDS = {True: "entry no longer matches", False: "entries no longer match"}


class UsageError(Exception):
    """A mistake on the command line; its message is the one line shown."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit code 2."""

    commands: dict[str, _Parser] | None = None
    """The commands' parsers, by name (of the top parser)."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        """argparse's help formatter, with the terminal's width asked once per process
        (argparse asks again for each ``add_argument``: a tenth of building the parser)."""
        return argparse.HelpFormatter(prog=self.prog, width=_help_width())

    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice is not None:
            import difflib

            options = re.findall(r"'([^']*)'", choice[2]) or choice[2].split(", ")
            close = difflib.get_close_matches(choice[1], options, n=1)
            if close:
                message = f"{message.split(': invalid')[0]}: invalid choice {choice[1]!r}" \
                    f" (did you mean {close[0]!r}?)"
        raise UsageError(f"{message} (see `{self.prog} --help`)")


@functools.cache
def _help_width() -> int:
    """The width argparse gives help text: the terminal's columns less 2.

    The columns as ``shutil.get_terminal_size`` finds them (``COLUMNS`` if a positive number,
    else the terminal of ``sys.__stdout__``, else 80), without importing shutil (with bz2 and
    lzma): the parser of every run asks, a check never needs shutil.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # none, or not a terminal
            columns = 0
    return (columns or 80) - 2


def _rule_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return int(value)


def _add_project_options(parser: argparse.ArgumentParser) -> None:
    """Options that choose the files and rules: shared by ``check`` and ``baseline``."""
    parser.add_argument("paths", nargs="*", default=[], metavar="PATH",
                        help="files or directories")
    parser.add_argument("--select", action="append", type=_rule_list, default=None,
                        help="rules to enable: codes, prefixes, names or ALL (replaces config)")
    parser.add_argument("--extend-select", action="append", type=_rule_list, default=[],
                        help="rules to enable on top of the selection")
    parser.add_argument("--ignore", action="append", type=_rule_list, default=[],
                        help="rules to disable")
    parser.add_argument("--config", type=Path, help="use this config file; its folder is the root")
    parser.add_argument("--today", type=_date, help="the date time rules compare with")
    parser.add_argument("--dialect", metavar="NAME",
                        help="read the named files, and *.yml/*.yaml under named directories, in"
                             " this dialect (gitlab-pi)")
    parser.add_argument("--force-exclude", action="store_true", default=None,
                        help="filter named files as discovery does (include, exclude, .gitignore)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the result cache (.kpilint_cache/)")
    parser.add_argument("--jobs", "-j", type=_positive, metavar="N", default=None,
                        help="parse files in N processes (default: the CPU count for 200 files"
                             " or more, else 1)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of crashes")


def _check_arguments(check: argparse.ArgumentParser) -> None:
    from kpilint.report import FORMATS

    _add_project_options(check)
    check.add_argument("--output-format", choices=FORMATS, default=None,
                       help="how to print findings (default: text)")
    check.add_argument("--output-file", type=Path, help="write the report to FILE")
    check.add_argument("--fail-on", choices=("error", "warning", "info"),
                       help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--baseline", type=Path, metavar="FILE",
                       help="report only findings not already counted in this baseline")
    check.add_argument("--statistics", action="store_true",
                       help="print the number of findings per rule instead of the findings")
    check.add_argument("--show-suppressed", action="store_true",
                       help="also list the findings suppressed by comments, with reasons")
    check.add_argument("--add-suppressions", action="store_true",
                       help="write a suppression comment for every current finding (with"
                            " --stdin-filename: print the commented text instead)")
    check.add_argument("--reason", metavar="TEXT",
                       help="with --add-suppressions: the reason written after ` -- `")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes to the named spec files, then report what"
                            " remains (with --stdin-filename: print the fixed text)")
    check.add_argument("--diff", action="store_true",
                       help="print the unified diff of what --fix would change; write nothing"
                            " (exit 1 when there is a diff)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: also apply the fixes that change meaning")
    check.add_argument("--show-settings", action="store_true",
                       help="print the resolved settings and where each came from")
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="with `-` as the path: lint stdin as the content of NAME")
    check.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    check.add_argument("--no-color", action="store_true", help="never color the output")


def _baseline_arguments(baseline: argparse.ArgumentParser) -> None:
    baseline.add_argument("file", type=Path, metavar="FILE", help="the baseline file to write")
    _add_project_options(baseline)


def _graph_arguments(graph: argparse.ArgumentParser) -> None:
    _add_project_options(graph)
    graph.add_argument("--format", choices=("mermaid", "dot", "json", "html"), default="mermaid",
                       help="mermaid (default), dot (Graphviz), json, or html (one self-contained"
                            " page)")
    graph.add_argument("--output-file", type=Path, help="write the drawing to FILE")


def _no_arguments(_: argparse.ArgumentParser) -> None:
    """A command without arguments."""


def _convert_arguments(convert: argparse.ArgumentParser) -> None:
    convert.add_argument("--from", dest="from_dialect", required=True, metavar="DIALECT",
                         help="the format of the inputs (gitlab-pi)")
    convert.add_argument("inputs", nargs="+", type=Path, metavar="PATH", help="files to convert")
    convert.add_argument("--output-dir", type=Path, required=True, metavar="DIR",
                         help="where to write <stem>.kpi.yaml per input and a kpilint.toml")


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR")
    init.add_argument("--rule-pack", action="store_true",
                      help="write only a starter rule pack (kpi-conventions.yaml) with two"
                           " commented example rules")


def _rule_arguments(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("rule", metavar="CODE|NAME")


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.add_argument("--rule-pack", action="store_true",
                        help="print the JSON Schema of rule packs instead")


_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": ("lint spec files (default: the project)", _check_arguments),
    "baseline": ("write a baseline of the current findings (for gradual adoption)",
                 _baseline_arguments),
    "graph": ("draw the KGI -> KSF -> KPI tree, each entity with its findings",
              _graph_arguments),
    "server": ("run the language server over stdio (for editors)", _no_arguments),
    "convert": ("write v1 spec files from KPI files of another format (a dialect)",
                _convert_arguments),
    "init": ("write an example spec and a kpilint.toml", _init_arguments),
    "rule": ("print the documentation of a rule", _rule_arguments),
    "rules": ("list all rules", _no_arguments),
    "schema": ("print the JSON Schema of spec files", _schema_arguments),
}
"""Each command's help line and what adds its arguments, in the order ``--help`` lists them."""


def build_parser(command: str | None = None) -> _Parser:
    """The command line's parser; with ``command``, one with that command only.

    ``main`` passes the command when it is the first argument (then argparse takes it as the
    command whatever the other commands are): a run builds one command's options, not all.
    """
    parser = _Parser(prog="kpilint", description="Lint KPI-as-code specs (KGI -> KSF -> KPI).")
    parser.add_argument("--version", action="version", version=f"kpilint {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name, (help_text, add_arguments) in _COMMANDS.items():
        if command is None or name == command:
            add_arguments(commands.add_parser(name, help=help_text))
    parser.commands = commands.choices
    return parser


def _parse(parser: _Parser, arguments: list[str]) -> argparse.Namespace:
    """``parser.parse_args``, but arguments a command does not know are reported by that
    command's parser (pointing at its own help), with the option meant where one is close."""
    args, unknown = parser.parse_known_args(arguments)
    if not unknown:
        return args
    where = (parser.commands or {}).get(args.command, parser)
    message = f"unrecognized arguments: {' '.join(unknown)}"
    if unknown[0].startswith("-"):
        from kpilint.config import did_you_mean, suggestion_suffix

        options = re.findall(r"--?[a-z][a-z-]*", where.format_usage())
        message += suggestion_suffix(did_you_mean(unknown[0].partition("=")[0], options))
    where.error(message)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # text a latin-1 terminal cannot show is escaped, not a failure
        reconfigure(errors="backslashreplace")
    try:
        command = arguments[0] if arguments and arguments[0] in _COMMANDS else None
        args = _parse(build_parser(command), arguments)
        return _dispatch(args)
    except UsageError as error:
        return _fail(f"kpilint: error: {error}")
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        return _fail("kpilint: interrupted")
    except Exception as error:  # no traceback ever reaches a user
        from kpilint.config import ConfigError

        if _interrupted(error):  # wrapped by the import it broke (e.g. a RuntimeError)
            return _fail("kpilint: interrupted")

        if isinstance(error, ConfigError):
            return _fail(f"kpilint: error: {error}")
        if debug:
            import traceback

            traceback.print_exc()
        return _fail(f"kpilint: internal error: {type(error).__name__}: {error}"
                     " (rerun with --debug for the traceback)")


def _interrupted(error: BaseException) -> bool:
    """Whether ``error`` was caused by an interrupt (Ctrl-C)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def run() -> NoReturn:
    """The console entry point: :func:`main`, then exit without the interpreter's teardown.

    Once the report, the output file and the cache are written and closed (``main`` returns only
    then), freeing every object of a large project one by one is wasted time; the streams are
    flushed and the process ends with the exit code. Library callers use :func:`main`.
    """
    global _left_for_exit
    _left_for_exit = []
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can be written
            code = code or EXIT_ERROR
    os._exit(code)


_left_for_exit: list[object] | None = None
"""Set by :func:`run`, which ends the process without freeing anything: a check's outcome (its
projects' files, models and findings) is left here instead of being freed object by object
when the command returns (about 6 us per file)."""


def _leave_for_exit(value: object) -> None:
    if _left_for_exit is not None:
        _left_for_exit.append(value)


def _fail(line: str) -> int:
    print(line, file=sys.stderr)
    return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "baseline":
        return _baseline(args)
    if args.command == "graph":
        return _graph(args)
    if args.command == "init":
        return _init(args.directory, args.rule_pack)
    if args.command == "convert":
        return _convert(args.from_dialect, args.inputs, args.output_dir)
    if args.command == "server":
        from kpilint.server import serve

        serve()
        return EXIT_OK
    if args.command == "rule":
        return _rule(args.rule)
    if args.command == "rules":
        return _rules()
    if args.command == "schema":
        from kpilint.resources import data_path
        from kpilint.schema import spec_schema_text

        sys.stdout.write(data_path("schemas", "kpi-rule-pack.schema.json").read_text("utf-8")
                         if args.rule_pack else spec_schema_text())
        return EXIT_OK
    build_parser().print_help()
    return EXIT_OK


def _flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    if groups is None:
        return None
    return tuple(item for group in groups for item in group)


def _check_options(args: argparse.Namespace) -> CheckOptions:
    from kpilint.checker import CheckOptions
    from kpilint.config import RuleSelection
    from kpilint.diagnostics import Severity

    fail_on = getattr(args, "fail_on", None)
    stdin_name = getattr(args, "stdin_filename", None)
    paths = list(args.paths)
    stdin = None
    if "-" in paths or stdin_name:
        if paths != ["-"] or not stdin_name:
            raise UsageError("lint stdin with `--stdin-filename NAME -` (and no other path)")
        paths = [stdin_name]
        stdin = (stdin_name, sys.stdin.buffer.read())
    return CheckOptions(
        paths=paths,
        config_file=args.config,
        selection=RuleSelection(_flatten(args.select), _flatten(args.extend_select) or (),
                                _flatten(args.ignore) or ()),
        today=args.today,
        force_exclude=args.force_exclude,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        baseline=getattr(args, "baseline", None),
        stdin=stdin,
        progress=sys.stderr.isatty(),
        cache=not args.no_cache,
        jobs=args.jobs,
        dialect=args.dialect,
    )


def _check(args: argparse.Namespace) -> int:
    # A check is a short batch run whose node trees hold no reference cycles: the cyclic
    # collector would only rescan them (it costs about half the load time on large projects),
    # and the modules imported here, before any file is read (3% of a one-file run).
    gc.disable()
    from kpilint.checker import run_check
    from kpilint.report import TEXT_FORMATS, RenderOptions, renderer

    reason = _reason(args)
    options = _check_options(args)
    if args.show_settings:
        return _show_settings(options)
    fixing = _fixing(args)
    # both need every file's text
    options.cache = options.cache and not args.add_suppressions and not fixing
    to_terminal = args.output_file is None and sys.stdout is not None and sys.stdout.isatty()
    color = to_terminal and not args.no_color and not os.environ.get("NO_COLOR")
    render_options = RenderOptions(color=color, quiet=args.quiet,
                                   show_suppressed=args.show_suppressed)
    output_format = args.output_format or (
        "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if options.cache:  # a run of the same files may write back the report this one keeps
        options.render_key = repr((output_format, args.statistics, render_options))
        options.keep_stored = output_format == "json" and not args.statistics
    outcome = run_check(options)
    _leave_for_exit(outcome)
    if _nothing_checked(outcome, options):
        return EXIT_ERROR
    if args.add_suppressions:
        return _add_suppressions(outcome, options, reason)
    fixed, refused = 0, False
    if fixing:
        done = _fix(args, options, outcome)
        if isinstance(done, int):
            return done
        outcome, fixed, refused = done
    text: str | Utf8
    if outcome.kept_report is not None:
        text = outcome.kept_report
    else:
        if args.statistics:
            from kpilint.statistics import render_statistics

            text = render_statistics(outcome.result, output_format)
        elif outcome.report_slot is not None and output_format == "json":
            from kpilint.report.json_format import render_utf8  # copies the kept report's records

            text = render_utf8(outcome.result, render_options)
        else:
            text = renderer(output_format)(dataclasses.replace(outcome.result, fixed=fixed),
                                           render_options)
        if isinstance(text, str) and outcome.report_slot is not None:  # kept in UTF-8 and
            text = text.encode("utf-8")  # written so: encoded once
        outcome.keep_report(text)
    if args.output_file is not None:
        _write_report(args.output_file, text)
    else:
        _write_stdout(text, document=output_format not in TEXT_FORMATS)
    _baseline_notes(outcome.result)
    if outcome.crashes:
        if args.debug:
            for crash in outcome.crashes:
                sys.stderr.write(crash)
        return EXIT_ERROR
    if refused:
        return EXIT_ERROR  # --fix left some files alone (stderr says which and why)
    return EXIT_FINDINGS if outcome.failed and not args.exit_zero else EXIT_OK


def _nothing_checked(outcome: CheckOutcome, options: CheckOptions) -> bool:
    """SPEC 10.4: a run that checks no spec file is an error (one line on stderr), except when
    force-exclude left out every named file or the only input was stdin: then a note."""
    if outcome.result.files or outcome.crashes:
        return False
    if outcome.force_excluded_all or options.stdin is not None:
        what = (f"{options.stdin[0]} (from stdin) is" if options.stdin is not None
                else "the named files are")
        print(f"kpilint: note: no spec file checked: {what} not among the project's spec"
              " files (include, exclude, force-exclude)", file=sys.stderr)
        return False
    cwd = Path.cwd()
    searched = ", ".join(
        f"{_searched(plan, cwd)} (include: {', '.join(plan.config.include)})"
        for plan in outcome.plans)
    print(f"kpilint: error: no spec file to check: searched {searched}; name a spec file, or"
          " set `include` in the config (`kpilint check --show-settings` shows the settings)",
          file=sys.stderr)
    return True


def _searched(plan: ProjectPlan, cwd: Path) -> str:
    """What a project's search covered: the folders named in it, else its root."""
    return ", ".join(_shown_root(path, cwd) for path in plan.named or [plan.root])


def _shown_root(root: Path, cwd: Path) -> str:
    """A project root as the user knows it: relative to the working directory when inside it."""
    return os.path.relpath(root, cwd) if root == cwd or cwd in root.parents else str(root)


def _baseline_notes(result: RunResult) -> None:
    """What the baseline hid and which of its entries no longer match (stderr, never data)."""
    if result.baseline_hidden is None:
        return
    if result.baseline_hidden:
        print(f"kpilint: the baseline hid {plural(result.baseline_hidden, 'known finding')}",
              file=sys.stderr)
    if result.baseline_stale:
        print(f"kpilint: {len(result.baseline_stale)} baseline"
              f" {STALE_WORDS[len(result.baseline_stale) == 1]};"
              " shrink the baseline with `kpilint baseline FILE`:", file=sys.stderr)
        for key, allowed, now in result.baseline_stale:
            print(f"  {key.describe()}: {allowed} in the baseline, {now} now", file=sys.stderr)


def _show_settings(options: CheckOptions) -> int:
    from kpilint.project import plan_projects
    from kpilint.settings import describe_settings

    plans = plan_projects(options.paths, Path.cwd(), options.config_file)
    for plan in plans:
        plan.config.selections.append(options.selection)
        if options.dialect is not None:
            plan.read_named_in(options.dialect)
    sys.stdout.write("\n".join(describe_settings(plan, options) for plan in plans))
    return EXIT_OK


def _reason(args: argparse.Namespace) -> str | None:
    """The ``--reason`` text, checked: one line that a comment can hold."""
    if args.reason is None:
        return None
    if not args.add_suppressions:
        raise UsageError("--reason only goes with --add-suppressions")
    reason: str = args.reason.strip()
    if not reason or not reason.isprintable():
        raise UsageError("--reason must be one line of printable text, e.g. --reason"
                         " 'adopted on 2026-11-23; fix by Q2'")
    return reason


def _fixing(args: argparse.Namespace) -> bool:
    """Whether ``--fix`` or ``--diff`` was given; their misuses are usage errors."""
    fixing = bool(args.fix or args.diff)
    if args.unsafe_fixes and not fixing:
        raise UsageError("--unsafe-fixes only goes with --fix or --diff")
    if fixing and args.add_suppressions:
        raise UsageError(f"--{'fix' if args.fix else 'diff'} does not go with"
                         " --add-suppressions (fix first, then suppress what remains)")
    return fixing


def _fix(args: argparse.Namespace, options: CheckOptions,
         outcome: CheckOutcome) -> int | tuple[CheckOutcome, int, bool]:
    """Apply the fixes (``--fix``), or print their diff (``--diff``); for ``--fix`` on files,
    the run after the fixes, how many there were and whether a file was refused, to report
    what remains."""
    from kpilint.checker import run_check
    from kpilint.fixes import FixRun, fix_project, refusal_lines, unified_diff, write_fixed

    if outcome.crashes:  # never rewrite files from a run where a rule failed
        if args.debug:
            for crash in outcome.crashes:
                sys.stderr.write(crash)
        raise UsageError("a rule crashed (X002), so nothing was fixed; run `kpilint check`"
                         " to see it")
    projects = [(linter, fix_project(linter, plan.is_named, args.unsafe_fixes))
                for plan, linter in zip(outcome.plans, outcome.linters, strict=True)]
    fixed_files = [fixed for _, files in projects for fixed in files]
    count = sum(fixed.fixes for fixed in fixed_files)
    for line in refusal_lines(fixed_files):
        print(line, file=sys.stderr)
    fixed_files = [fixed for fixed in fixed_files if fixed.text != fixed.original]
    if args.diff:
        _write_stdout("".join(unified_diff(fixed) for fixed in fixed_files))
        print(f"Would fix {plural(count, 'problem')} in {plural(len(fixed_files), 'file')}.",
              file=sys.stderr)
        return EXIT_FINDINGS if fixed_files else EXIT_OK
    if options.stdin is not None:
        return _fix_stdin(options, fixed_files, count, args.exit_zero)
    run = FixRun()
    for linter, files in projects:
        write_fixed(linter.root, files, run)
    cwd = Path.cwd()
    for path, why in run.refused:
        print(f"kpilint: {os.path.relpath(path, cwd)}: not fixed: {why}", file=sys.stderr)
    return run_check(options), run.fixes, bool(run.refused)


def _fix_stdin(options: CheckOptions, fixed_files: list[FixedFile], count: int,
               exit_zero: bool) -> int:
    """Print the fixed stdin text (its BOM kept) and a one-line summary on stderr."""
    from kpilint.checker import run_check
    from kpilint.load import UTF8_BOM

    assert options.stdin is not None
    name, data = options.stdin
    fixed = next((each for each in fixed_files if each.display == name), None)
    if fixed is not None:
        data = (UTF8_BOM if data.startswith(UTF8_BOM) else b"") + fixed.text.encode("utf-8")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    options.stdin = (name, data)
    after = run_check(options)
    remaining = len(after.result.diagnostics)
    print(f"Fixed {plural(count, 'problem')} in the text of {name} (printed;"
          f" no file written); {remaining} remaining.", file=sys.stderr)
    if after.crashes:
        return EXIT_ERROR
    return EXIT_FINDINGS if after.failed and not exit_zero else EXIT_OK


def _add_suppressions(outcome: CheckOutcome, options: CheckOptions, reason: str | None) -> int:
    from kpilint.add_suppressions import AddResult, add_suppressions

    if any(not linter.config.allow_suppressions for linter in outcome.linters):
        raise UsageError("this project forbids suppression comments (allow-suppressions ="
                         " false); fix the findings instead")
    if options.stdin is not None:
        return _add_suppressions_to_stdin(outcome, options.stdin, reason)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in outcome.result.diagnostics:
        by_path.setdefault(diagnostic.location.path, []).append(diagnostic)
    total = AddResult()
    for linter in outcome.linters:
        done = add_suppressions(linter.root, [
            (loaded.absolute, loaded.spec.text, by_path[loaded.spec.path])
            for loaded in linter.files.values() if loaded.spec.path in by_path],
            reason, linter.config.limits)
        total.comments += done.comments
        total.files += done.files
        total.refused.extend(done.refused)
    cwd = Path.cwd()
    for path, why in total.refused:
        print(f"kpilint: {os.path.relpath(path, cwd)}: not changed: {why}", file=sys.stderr)
    print(f"Added {plural(total.comments, 'suppression comment')} to"
          f" {plural(total.files, 'file')}.")
    return EXIT_ERROR if outcome.crashes or total.refused else EXIT_OK


def _add_suppressions_to_stdin(outcome: CheckOutcome, stdin: tuple[str, bytes],
                               reason: str | None) -> int:
    """Print the stdin text with its comments; no file is written (as ``--fix`` does)."""
    from kpilint.add_suppressions import add_suppression_comments, suppressible_codes
    from kpilint.load import Limits
    from kpilint.safe_write import WriteRefused

    name, data = stdin
    codes_by_line = suppressible_codes(diagnostic for diagnostic in outcome.result.diagnostics
                                       if diagnostic.location.path == name)
    limits = next((linter.config.limits for linter in outcome.linters
                   for loaded in linter.files.values() if loaded.spec.path == name), Limits())
    try:
        updated = add_suppression_comments(data, codes_by_line, reason=reason, limits=limits)
    except WriteRefused as refusal:
        raise UsageError(f"{name}: not changed: {refusal}") from None
    sys.stdout.buffer.write(updated)
    sys.stdout.flush()
    count = len(codes_by_line) if updated != data else 0
    print(f"Added {plural(count, 'suppression comment')} to the text of {name}"
          " (printed; no file written).", file=sys.stderr)
    return EXIT_ERROR if outcome.crashes else EXIT_OK


def _baseline(args: argparse.Namespace) -> int:
    gc.disable()  # as in _check
    from kpilint.baseline import write_baseline
    from kpilint.checker import run_check

    options = _check_options(args)
    outcome = run_check(options)
    if _nothing_checked(outcome, options):
        return EXIT_ERROR
    write_baseline(args.file, outcome.result.diagnostics)
    count = len(outcome.result.diagnostics)
    print(f"Wrote {args.file}: {plural(count, 'finding')} in the baseline.")
    return EXIT_ERROR if outcome.crashes else EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    gc.disable()  # as in _check
    from kpilint.checker import run_check
    from kpilint.tree import renderer, tree_of_run

    options = _check_options(args)
    options.cache = False  # the drawing needs every entity, not only the findings
    outcome = run_check(options)
    if _nothing_checked(outcome, options):
        return EXIT_ERROR
    cwd = Path.cwd()
    named = [Path(os.path.abspath(cwd / path)) for path in options.paths] or [
        options.config_file.resolve().parent if options.config_file else cwd]
    text = renderer(args.format)(tree_of_run(outcome, named, cwd))
    if args.output_file is not None:
        _write_report(args.output_file, text)
    else:
        sys.stdout.write(text)
    if outcome.crashes:
        if args.debug:
            for crash in outcome.crashes:
                sys.stderr.write(crash)
        return EXIT_ERROR
    return EXIT_OK


def _init(directory: Path, rule_pack: bool = False) -> int:
    from kpilint.scaffold import RULE_PACK_NAME, InitError, write_rule_pack, write_starter_files

    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory")
    try:
        written = (write_rule_pack(directory) if rule_pack
                   else write_starter_files(directory, datetime.date.today()))
    except InitError as error:
        raise UsageError(str(error)) from None
    for path in written:
        print(f"Wrote {path}")
    if rule_pack:
        print(f"Next: add `rule-packs = [\"{RULE_PACK_NAME}\"]` to the config, then run"
              " `kpilint check`.")
        return EXIT_OK
    print("Next: edit goals.kpi.yaml, then run `kpilint check`.")
    return EXIT_OK


def _convert(dialect: str, inputs: list[Path], output_dir: Path) -> int:
    from kpilint.config import check_dialect
    from kpilint.convert import CONFIG_TEXT, ConvertError, convert
    from kpilint.safe_write import WriteRefused, write_new_files

    check_dialect(dialect, "option --from")
    for path in inputs:
        if path.is_dir():
            raise UsageError(f"{path}: a directory; name the files to convert (e.g. {path}/*.yml)")
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir}: not a directory")
    try:
        converted = convert(dialect, inputs, output_dir)
        contents = {each.output: each.text for each in converted}
        contents[output_dir / "kpilint.toml"] = CONFIG_TEXT
        output_dir.mkdir(parents=True, exist_ok=True)
        write_new_files(contents, output_dir, "convert")
    except (ConvertError, WriteRefused) as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{output_dir}: {error.strerror or error}") from None
    for each in converted:
        print(f"Wrote {each.output}: {plural(each.kpis, 'KPI')}"
              f" from {each.source}")
    print(f"Wrote {output_dir / 'kpilint.toml'}")
    print(f"Next: fill in the goals, then run `kpilint check {output_dir}`.")
    return EXIT_OK


_SLICE = 1 << 20
"""Characters of an ASCII report written to stdout at a time: a large report (12 MB for 2,000
files) is not encoded whole into one more copy, whose fresh pages cost more than the writes."""


def _write_stdout(text: str | Utf8, document: bool = False) -> None:
    """Write a report (not ``str``: UTF-8, straight to the buffer when stdout would write the
    same). A ``document`` (JSON, SARIF, JUnit XML, GitHub's workflow commands) is UTF-8 whatever
    the locale's encoding, as its readers expect; text for people goes through stdout's
    encoding, where a character it cannot hold is written as a ``\\u`` escape (see
    :func:`main`)."""
    if sys.stdout is None:
        raise UsageError("standard output is closed; use --output-file")
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if document and isinstance(text, str) and buffer is not None:
            text = text.encode("utf-8", "backslashreplace")  # a lone surrogate: "\\udcff"
        if not isinstance(text, str):
            parts = text if isinstance(text, list) else [text]
            if buffer is None or (not document and (os.linesep != "\n" or codecs.lookup(
                    sys.stdout.encoding or "ascii").name != "utf-8")):
                text = str(b"".join(parts), "utf-8")
            else:
                sys.stdout.flush()
                buffer.writelines(parts)
                buffer.flush()
                return
        if text.isascii():  # (known in O(1)): no slice can fail to encode halfway through
            for start in range(0, len(text), _SLICE):  # no encoded copy of all of it at once
                sys.stdout.write(text[start:start + _SLICE])
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise UsageError(f"cannot write the report: {error.strerror or error}") from None


def _write_report(path: Path, text: str | Utf8) -> None:
    """Write a report atomically; a symbolic link at ``path`` is replaced, never followed. A
    device, pipe or socket there (``/dev/stdout``, ``/dev/null``) is written to, not replaced."""
    import stat

    from kpilint.fileio import write_atomically

    if path.is_dir() and not path.is_symlink():
        raise UsageError(f"cannot write {path}: it is a directory")
    data = (text.encode("utf-8") if isinstance(text, str)
            else b"".join(text) if isinstance(text, list) else text)
    try:
        try:
            mode = path.stat().st_mode
        except OSError:  # nothing there (or a dangling link): a new file
            mode = stat.S_IFREG
        if stat.S_ISREG(mode):
            write_atomically(path, data)
        else:
            with path.open("wb") as stream:
                stream.write(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _rule(key: str) -> int:
    from kpilint import registry
    from kpilint.build import did_you_mean, suggestion_suffix
    from kpilint.page_text import page_text
    from kpilint.resources import data_path

    rule = registry.lookup(key)
    if rule is None:
        _project_rules()  # a rule of the project's packs
        rule = registry.lookup(key)
    if rule is None:
        matches = did_you_mean(key, registry.selector_suggestions())
        raise UsageError(f"unknown rule {key!r}{suggestion_suffix(matches)}; `kpilint rules`"
                         " lists them all")
    from kpilint.custom import custom_page, is_custom

    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if is_custom(rule):
        _write_stdout(page_text(custom_page(rule), color))
        return EXIT_OK
    page = data_path("rules", f"{rule.name}.md")
    try:
        markdown = page.read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"the documentation page of {rule.code} is missing ({page})") from None
    _write_stdout(page_text(markdown, color))
    return EXIT_OK


def _project_rules() -> list[type[Rule]]:
    """Every rule of the project in the working directory: built-in, plugin and pack rules."""
    from kpilint.config import Config, load_config
    from kpilint.project import find_root

    cwd = Path.cwd()
    _, found = find_root(cwd, cwd)
    config = load_config(found) if found else Config()
    return [entry.load() for entry in config.available_entries()]


def _rules() -> int:
    rows = [(rule.code, rule.name, rule.severity.label, rule.summary)
            for rule in _project_rules()]
    header = ("code", "name", "severity", "summary")
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(3)]
    for row in (header, *rows):
        sys.stdout.write("  ".join(
            cell.ljust(widths[index]) if index < 3 else cell
            for index, cell in enumerate(row)).rstrip() + "\n")
    return EXIT_OK
