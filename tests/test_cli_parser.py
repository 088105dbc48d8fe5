"""``main`` builds the parser of the command it is given only: the same options, help and errors
as the parser of every command."""

from __future__ import annotations

import argparse

import pytest

from kpilint import cli

ARGUMENTS = [
    ["check"], ["check", "a.kpi.yaml", "--select", "G1,P3", "--ignore", "P302", "-j", "2",
                "--output-format", "json", "--exit-zero", "--no-cache", "--force-exclude"],
    ["check", "-", "--stdin-filename", "x.kpi.yaml", "--fix", "--unsafe-fixes", "-q"],
    ["baseline", "b.json", "src", "--today", "2026-07-01"],
    ["graph", "--format", "dot", "--output-file", "g.dot"], ["server"],
    ["convert", "--from", "gitlab-pi", "a.yml", "--output-dir", "out"],
    ["init"], ["init", "d", "--rule-pack"], ["rule", "G101"], ["rules"],
    ["schema", "--rule-pack"],
]
MISTAKES = [["check", "--output-format", "xml"], ["check", "--bogus"], ["check", "-j", "0"],
            ["baseline"], ["graph", "--format", "png"], ["convert", "a.yml"], ["rule"],
            ["rules", "extra"], ["check", "--today", "someday"]]


def _parsed(parser: argparse.ArgumentParser, arguments: list[str]) -> dict[str, object] | str:
    try:
        return vars(parser.parse_args(arguments))
    except cli.UsageError as error:
        return str(error)


@pytest.mark.parametrize("arguments", ARGUMENTS + MISTAKES)
def test_one_command_parses_as_all_commands_do(arguments: list[str]) -> None:
    assert _parsed(cli.build_parser(arguments[0]), arguments) == _parsed(
        cli.build_parser(), arguments)


@pytest.mark.parametrize("command", list(cli._COMMANDS))
def test_one_command_has_the_help_of_all_commands(command: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    helps = []
    for parser in (cli.build_parser(command), cli.build_parser()):
        with pytest.raises(SystemExit):
            parser.parse_args([command, "--help"])
        helps.append(capsys.readouterr().out)
    assert helps[0] == helps[1] and f"usage: kpilint {command}" in helps[0]


def test_main_builds_the_named_command_only(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str | None] = []
    real = cli.build_parser

    def build_parser(command: str | None = None) -> argparse.ArgumentParser:
        built.append(command)
        return real(command)

    monkeypatch.setattr(cli, "build_parser", build_parser)
    assert cli.main(["rule", "no-such-rule"]) == cli.EXIT_ERROR
    assert cli.main(["chek"]) == cli.EXIT_ERROR  # no command: every one, for the choices
    assert cli.main(["-q", "check"]) == cli.EXIT_ERROR  # an option first: all too
    assert built == ["rule", None, None]
