"""The language server, end to end: pytest-lsp drives the real ``python -m kpilint server``.

Diagnostics (exact ranges, codes, URLs, related locations) on open, change and save; position
encodings (UTF-16 by default, UTF-8 when negotiated); cross-file refresh; config reloads; quick
fixes applied to the text; hover, definition, references and completion; a server that survives
bad documents, crashing rules and malformed requests; and Neovim as a real editor.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

from tests.conftest import REPO, TODAY, write_files
from tests.lsp.client import (
    RecordingClient,
    action_edits,
    apply_edits,
    initialize,
    open_document,
    raw_request,
    replace_document,
    server_config,
    summary,
    version,
    wait_for,
)

pytestmark = pytest.mark.asyncio

DOCS = "https://kpilint.dev/rules/"
CONFIG = f'today = "{TODAY}"\nselect = ["E"]\n'

COMPANY = """\
version: 1
kgis:
  - id: revenue
    name: Annual revenue
    definition: Recognised revenue in the fiscal year, all products.
    unit: JPY
    baseline: 80000000
    target: 100000000
    direction: increase
    deadline: 2027-03-31
    owner: cfo
    cadence: monthly
ksfs:
  - id: nurture-leads
    name: Strengthen lead nurturing
    definition: Turn more inbound leads into sales conversations.
    supports: revenue
"""

TEAM = """\
version: 1
kpis:
  - id: leads
    name: Marketing qualified leads per month
    definition: Inbound leads that pass MQL scoring, counted per calendar month.
    supports: {supports}
    indicator: leading
    unit: count
    baseline: 150
    target: 200
    direction: increase
    deadline: 2026-12-31
    cadence: monthly
    owner: marketing-ops
    paired_with: mql-rate
  - id: mql-rate
    name: MQL to SQL conversion rate
    supports: nurture-leads
    unit: percent
"""

BROKEN_TEAM = TEAM.format(supports="nurture-leadz")
GOOD_TEAM = TEAM.format(supports="nurture-leads")
E005_RANGE = (5, 14, 5, 27)  # `nurture-leadz` on line 6 (0-based 5)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A project: config (E rules only), company goals, and a team file with a typo'd reference."""
    return write_files(tmp_path / "goals", {
        "kpilint.toml": CONFIG,
        "company.kpi.yaml": COMPANY,
        "team.kpi.yaml": BROKEN_TEAM,
    })


def utf8_capabilities() -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16])
    return capabilities


@pytest_lsp.fixture(config=server_config())
async def utf8_client(lsp_client: RecordingClient, workspace: Path) -> AsyncIterator[None]:
    result = await initialize(lsp_client, workspace, utf8_capabilities())
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config([sys.executable,
                                          str(REPO / "tests" / "lsp" / "crashing_server.py")]))
async def crashing_client(lsp_client: RecordingClient,
                          workspace: Path) -> AsyncIterator[None]:
    await initialize(lsp_client, workspace, client_capabilities("neovim"))
    yield
    await lsp_client.shutdown_session()


def plain(value: Any) -> Any:
    """pygls reads JSON objects of unknown requests as named tuples: back to dicts."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


async def status(client: RecordingClient) -> Any:
    return plain(await raw_request(client, "kpilint/status", None))


def team_text(**replacements: str) -> str:
    text = BROKEN_TEAM
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


# --- diagnostics --------------------------------------------------------------------------------


async def test_open_publishes_exact_diagnostics(client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    published = await wait_for(client, uri, accept=version(1))
    assert summary(published.diagnostics) == [("E005", *E005_RANGE)]
    [diagnostic] = published.diagnostics
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "kpilint"
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href == DOCS + "unknown-reference"
    assert diagnostic.message == (
        "`supports` of KPI 'leads' names 'nurture-leadz', which is not defined in the project"
        " (did you mean 'nurture-leads'?)")


async def test_related_information_points_into_the_other_file(client: RecordingClient,
                                                              workspace: Path) -> None:
    path = workspace / "dup.kpi.yaml"
    text = "version: 1\nkpis:\n  - id: revenue\n    name: Revenue again\n"
    path.write_text(text, encoding="utf-8")
    uri = open_document(client, path)
    published = await wait_for(client, uri)
    assert summary(published.diagnostics) == [("E004", 2, 8, 2, 15)]
    [related] = published.diagnostics[0].related_information or []
    assert related.location.uri == (workspace / "company.kpi.yaml").as_uri()
    assert related.location.range == types.Range(types.Position(2, 8), types.Position(2, 15))
    assert related.message == "KGI 'revenue' first defined here"


async def test_change_relints_the_unsaved_text(client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri, accept=version(1))
    # an incremental change: fix the typo (`z` -> `s`), nothing saved to disk
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(5, 26), types.Position(5, 27)), text="s")]))
    published = await wait_for(client, uri, accept=version(2))
    assert list(published.diagnostics) == []
    assert (workspace / "team.kpi.yaml").read_text(encoding="utf-8") == BROKEN_TEAM
    # a new problem two lines down, typed in two quick changes: one re-lint after the debounce
    mark = len(client.published)
    replace_document(client, uri, GOOD_TEAM.replace("paired_with: mql-rate",
                                                    "paired_with: mql"), 3)
    replace_document(client, uri, GOOD_TEAM.replace("paired_with: mql-rate",
                                                    "paired_with: mql-rat"), 4)
    published = await wait_for(client, uri, mark, accept=version(4))
    assert summary(published.diagnostics) == [("E005", 14, 17, 14, 24)]
    assert [each.version for each in client.published[mark:] if each.uri == uri] == [4]


async def test_save_relints(client: RecordingClient, workspace: Path) -> None:
    path = workspace / "team.kpi.yaml"
    uri = open_document(client, path)
    await wait_for(client, uri, accept=version(1))
    path.write_text(GOOD_TEAM, encoding="utf-8")
    mark = len(client.published)
    replace_document(client, uri, GOOD_TEAM, 2)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        types.TextDocumentIdentifier(uri)))
    published = await wait_for(client, uri, mark, accept=version(2))
    assert list(published.diagnostics) == []


async def test_columns_are_utf16_by_default(client: RecordingClient, workspace: Path) -> None:
    path = workspace / "emoji.kpi.yaml"
    line = '  - {id: emoji-kpi, name: "📈 売上 leads", supportz: nurture-leads}'
    text = f"version: 1\nkpis:\n{line}\n"
    path.write_text(text, encoding="utf-8")
    uri = open_document(client, path)
    published = await wait_for(client, uri)
    code_points = line.index("supportz")
    assert summary(published.diagnostics) == [
        ("E002", 2, code_points + 1, 2, code_points + 9)]  # 📈 is two UTF-16 units
    [fix] = [action for action in await code_actions(client, uri, published.diagnostics)
             if action.is_preferred]
    assert fix.title == "Replace with 'supports'"
    assert apply_edits(text, action_edits(fix, uri)) == text.replace("supportz", "supports")


async def test_columns_follow_a_negotiated_utf8(utf8_client: RecordingClient,
                                                workspace: Path) -> None:
    path = workspace / "emoji.kpi.yaml"
    line = '  - {id: emoji-kpi, name: "📈 売上 leads", supportz: nurture-leads}'
    text = f"version: 1\nkpis:\n{line}\n"
    path.write_text(text, encoding="utf-8")
    uri = open_document(utf8_client, path)
    published = await wait_for(utf8_client, uri)
    start = len(line[:line.index("supportz")].encode("utf-8"))
    assert summary(published.diagnostics) == [("E002", 2, start, 2, start + 8)]
    [fix] = [action for action in await code_actions(utf8_client, uri, published.diagnostics)
             if action.is_preferred]
    assert apply_edits(text, action_edits(fix, uri), "utf-8") == text.replace("supportz",
                                                                              "supports")


async def test_a_fix_in_one_file_refreshes_the_others(client: RecordingClient,
                                                      workspace: Path) -> None:
    team = open_document(client, workspace / "team.kpi.yaml")
    company = open_document(client, workspace / "company.kpi.yaml")
    await wait_for(client, team, accept=lambda params: bool(params.diagnostics))
    await wait_for(client, company)
    # define, in the company file, the id the team file names: its E005 goes away
    mark = len(client.published)
    replace_document(client, company, COMPANY + NEW_KSF, 2)
    assert list((await wait_for(client, team, mark)).diagnostics) == []
    # delete both KSFs: both references of the team file break
    mark = len(client.published)
    replace_document(client, company, COMPANY[:COMPANY.index("ksfs:")], 3)
    published = await wait_for(client, team, mark)
    assert summary(published.diagnostics) == [("E005", *E005_RANGE), ("E005", 17, 14, 17, 27)]


NEW_KSF = """\
  - id: nurture-leadz
    name: Another strategy
    supports: revenue
"""


async def test_closed_documents_are_cleared_and_not_published(client: RecordingClient,
                                                              workspace: Path) -> None:
    team = open_document(client, workspace / "team.kpi.yaml")
    company = open_document(client, workspace / "company.kpi.yaml")
    await wait_for(client, team, accept=lambda params: bool(params.diagnostics))
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        types.TextDocumentIdentifier(team)))
    cleared = await wait_for(client, team, mark)
    assert list(cleared.diagnostics) == []
    replace_document(client, company, COMPANY.replace("id: revenue", "id: revenue2"), 2)
    published = await wait_for(client, company, mark, accept=version(2))
    assert [each[0] for each in summary(published.diagnostics)] == ["E005"]
    assert [each.uri for each in client.published[mark:]].count(team) == 1


async def test_relint_rereads_only_the_changed_document(client: RecordingClient,
                                                        workspace: Path) -> None:
    write_files(workspace, {f"more/team{index}.kpi.yaml": GOOD_TEAM.replace(
        "id: leads", f"id: leads-{index}").replace("id: mql-rate", f"id: mql-rate-{index}")
        .replace("paired_with: mql-rate", f"paired_with: mql-rate-{index}")
        for index in range(3)})
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri, accept=version(1))
    first = await status(client)
    [project] = first["projects"]
    assert project["root"] == str(workspace)
    assert project["files"] == 5
    assert project["runs"] == 1
    assert sorted(project["last_run"]["from_disk"]) == [
        "company.kpi.yaml", "more/team0.kpi.yaml", "more/team1.kpi.yaml", "more/team2.kpi.yaml"]
    assert project["last_run"]["from_buffer"] == ["team.kpi.yaml"]
    replace_document(client, uri, GOOD_TEAM, 2)
    await wait_for(client, uri, accept=version(2))
    [project] = (await status(client))["projects"]
    assert project["runs"] == 2
    assert project["last_run"]["from_disk"] == []
    assert project["last_run"]["from_buffer"] == ["team.kpi.yaml"]
    assert project["last_run"]["file_rules_run"] == ["team.kpi.yaml"]
    assert any("read 1 open document(s) and 0 file(s) from disk; file rules ran on 1 file(s)"
               in message.message for message in client.log_messages)


async def test_config_changes_are_reloaded(client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri, accept=lambda params: bool(params.diagnostics))
    config = workspace / "kpilint.toml"
    config.write_text(CONFIG + 'ignore = ["E005"]\n', encoding="utf-8")
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
    assert list((await wait_for(client, uri, mark)).diagnostics) == []
    # saving the config in the editor reloads it too
    config.write_text(CONFIG, encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        types.TextDocumentIdentifier(config.as_uri())))
    published = await wait_for(client, uri, mark)
    assert summary(published.diagnostics) == [("E005", *E005_RANGE)]


async def test_an_invalid_config_is_shown_not_linted(client: RecordingClient,
                                                    workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri, accept=lambda params: bool(params.diagnostics))
    config = workspace / "kpilint.toml"
    config.write_text(CONFIG + 'selectt = ["E"]\n', encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        types.TextDocumentIdentifier(config.as_uri())))
    assert list((await wait_for(client, uri, mark)).diagnostics) == []
    [shown] = client.messages
    assert shown.type == types.MessageType.Error
    assert shown.message == (f"kpilint: {config}: key `selectt`: unknown key"
                             " (did you mean 'select'?)")
    config.write_text(CONFIG, encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        types.TextDocumentIdentifier(config.as_uri())))
    published = await wait_for(client, uri, mark)
    assert summary(published.diagnostics) == [("E005", *E005_RANGE)]


async def test_pyproject_config_is_honoured(tmp_path: Path) -> None:
    root = write_files(tmp_path / "py", {
        "pyproject.toml": f'[tool.kpilint]\ntoday = "{TODAY}"\nselect = ["E", "S207"]\n'
                          'ignore = ["E005"]\n',
        "company.kpi.yaml": COMPANY, "team.kpi.yaml": BROKEN_TEAM})
    client = await server_config().start()
    assert isinstance(client, RecordingClient)
    try:
        await initialize(client, root, client_capabilities("visual-studio-code"))
        uri = open_document(client, root / "team.kpi.yaml")
        published = await wait_for(client, uri)
        assert summary(published.diagnostics) == [("S207", 15, 4, 15, 16)]  # mql-rate: no owner
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_files_outside_the_include_globs_are_not_linted(client: RecordingClient,
                                                               workspace: Path) -> None:
    path = workspace / "docker-compose.yaml"
    path.write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    uri = open_document(client, path)
    assert list((await wait_for(client, uri)).diagnostics) == []
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(0, 2))) is None


# --- code actions -------------------------------------------------------------------------------


async def code_actions(client: RecordingClient, uri: str,
                       diagnostics: Sequence[types.Diagnostic]) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=list(diagnostics))))
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


async def test_code_actions_yield_the_expected_text(client: RecordingClient,
                                                    workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    published = await wait_for(client, uri, accept=version(1))
    actions = await code_actions(client, uri, list(published.diagnostics))
    assert [(action.title, action.kind, action.is_preferred) for action in actions] == [
        ("Replace with 'nurture-leads'", types.CodeActionKind.QuickFix, True),
        ("Suppress E005 on this line", types.CodeActionKind.QuickFix, None),
        ("Suppress E005 in this file", types.CodeActionKind.QuickFix, None)]
    assert all(list(action.diagnostics or []) == list(published.diagnostics)
               for action in actions)
    fixed, on_line, in_file = (apply_edits(BROKEN_TEAM, action_edits(action, uri))
                               for action in actions)
    assert fixed == GOOD_TEAM
    assert on_line == BROKEN_TEAM.replace(
        "supports: nurture-leadz\n", "supports: nurture-leadz  # kpilint: disable=E005\n")
    assert in_file == "# kpilint: disable-file=E005\n" + BROKEN_TEAM
    for number, text in enumerate((fixed, on_line, in_file), start=2):
        replace_document(client, uri, text, number)
        assert (await wait_for(client, uri, accept=version(number))).diagnostics == ()


async def test_suppressing_in_a_file_extends_its_comment(client: RecordingClient,
                                                        workspace: Path) -> None:
    text = "# kpilint: disable-file=E004 -- migrating\n" + BROKEN_TEAM
    uri = open_document(client, workspace / "team.kpi.yaml", text)
    published = await wait_for(client, uri)
    [in_file] = [action for action in await code_actions(client, uri, published.diagnostics)
                 if action.title.endswith("in this file")]
    assert apply_edits(text, action_edits(in_file, uri)).splitlines()[0] == (
        "# kpilint: disable-file=E004,E005 -- migrating")


async def source_actions(client: RecordingClient, uri: str,
                         only: list[str]) -> list[types.CodeAction]:
    """The code actions of a whole-document request for ``only`` kinds (as on save)."""
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=only)))
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


async def test_fix_all_applies_every_safe_fix_of_the_document(client: RecordingClient,
                                                              workspace: Path) -> None:
    text = BROKEN_TEAM.replace("indicator: leading", "indicator: leadng").replace(
        "direction: increase", "direction: increse")
    uri = open_document(client, workspace / "team.kpi.yaml", text)
    published = await wait_for(client, uri)
    assert [each.code for each in published.diagnostics] == ["E005", "E002", "E002"]
    for only in (["source.fixAll"], ["source"], ["source.fixAll.kpilint"]):
        [fix_all] = await source_actions(client, uri, only)
        assert (fix_all.title, fix_all.kind, fix_all.diagnostics) == (
            "Fix all safely fixable kpilint problems", "source.fixAll.kpilint", None)
        assert apply_edits(text, action_edits(fix_all, uri)) == GOOD_TEAM
    assert await source_actions(client, uri, [types.CodeActionKind.QuickFix]) == []
    replace_document(client, uri, GOOD_TEAM, 2)
    assert (await wait_for(client, uri, accept=version(2))).diagnostics == ()
    assert await source_actions(client, uri, ["source.fixAll"]) == []


async def test_an_unsafe_fix_is_offered_but_not_preferred(client: RecordingClient,
                                                          workspace: Path) -> None:
    config = workspace / "kpilint.toml"
    config.write_text(f'today = "{TODAY}"\nselect = ["P305"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
    text = GOOD_TEAM.replace("    indicator: leading\n", "")
    uri = open_document(client, workspace / "team.kpi.yaml", text)
    published = await wait_for(client, uri, accept=lambda params: bool(params.diagnostics))
    [finding] = [each for each in published.diagnostics if each.range.start.line == 2]
    [fix] = [action for action in await code_actions(client, uri, [finding])
             if action.title.startswith("Declare")]
    assert (fix.title, fix.is_preferred) == ("Declare `indicator: leading`", None)
    assert apply_edits(text, action_edits(fix, uri)) == text.replace(
        "  - id: leads\n", "  - id: leads\n    indicator: leading\n")
    assert await source_actions(client, uri, ["source.fixAll"]) == []  # safe fixes only


async def test_dialect_files_get_no_fixes(client: RecordingClient, workspace: Path) -> None:
    config = workspace / "kpilint.toml"
    config.write_text(f'today = "{TODAY}"\nselect = ["P305"]\n'
                      '[dialects]\n"pi/*.yml" = "gitlab-pi"\n', encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
    (workspace / "pi").mkdir()
    text = ("- name: Monthly recurring revenue\n"
            "  definition: Recurring revenue booked in the month, from the finance ledger.\n"
            "  is_key: true\n  target: Above 5\n  dri: Ann\n  urls: [https://example.com/mrr]\n")
    uri = open_document(client, workspace / "pi" / "finance.yml", text)
    published = await wait_for(client, uri, accept=lambda params: bool(params.diagnostics))
    assert [(each.code, each.range.start.line) for each in published.diagnostics] == [
        ("P305", 0)]
    assert "suggests `indicator: lagging`" in published.diagnostics[0].message
    titles = [action.title for action in await code_actions(client, uri, published.diagnostics)]
    assert titles == ["Suppress P305 on this line", "Suppress P305 in this file"]
    assert await source_actions(client, uri, ["source.fixAll"]) == []


# --- hover, definition, references, completion ------------------------------------------------


async def open_good_project(client: RecordingClient, workspace: Path) -> tuple[str, str]:
    (workspace / "team.kpi.yaml").write_text(GOOD_TEAM, encoding="utf-8")
    team = open_document(client, workspace / "team.kpi.yaml")
    company = open_document(client, workspace / "company.kpi.yaml")
    await wait_for(client, team)
    await wait_for(client, company)
    return team, company


async def hover_text(client: RecordingClient, uri: str, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(line, character)))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def test_hover_shows_the_entity_card(client: RecordingClient, workspace: Path) -> None:
    team, company = await open_good_project(client, workspace)
    assert await hover_text(client, team, 2, 10) == dedent("""\
        **KPI `leads`: Marketing qualified leads per month**

        Inbound leads that pass MQL scoring, counted per calendar month.

        - **Target:** 200 count (increase, baseline 150) by 2026-12-31
        - **Owner:** marketing-ops
        - **Cadence:** monthly
        - **Indicator:** leading
        - **Paired with:** `mql-rate`
        - **Reaches KGI:** `revenue` (Annual revenue)
        - **Defined in:** team.kpi.yaml:3""")
    # on a reference: the card of the entity it names (a KSF in the other file)
    card = await hover_text(client, team, 5, 20)
    assert card.startswith("**KSF `nurture-leads`: Strengthen lead nurturing**")
    assert "- **Reaches KGI:** `revenue` (Annual revenue)" in card
    assert "- **Defined in:** company.kpi.yaml:14" in card
    card = await hover_text(client, company, 2, 12)
    assert "- **Target:** 100,000,000 JPY (increase, baseline 80,000,000) by 2027-03-31" in card
    assert "- **Owner:** cfo" in card
    assert "- **Cadence:** monthly" in card
    assert "- **KPIs reaching it:** 2" in card
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(team), types.Position(3, 10))) is None  # on a name


async def test_hover_on_an_unknown_reference(client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri)
    assert await hover_text(client, uri, 5, 16) == (
        "`nurture-leadz`: no entity with this id in the project (did you mean nurture-leads?)")


async def test_definition_and_references_across_files(client: RecordingClient,
                                                      workspace: Path) -> None:
    team, company = await open_good_project(client, workspace)
    definition = await client.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(team), types.Position(17, 16)))
    assert definition == [types.Location(company, types.Range(types.Position(13, 8),
                                                              types.Position(13, 21)))]
    references = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(company), position=types.Position(13, 12),
        context=types.ReferenceContext(include_declaration=True)))
    assert [(each.uri, summary_of(each.range)) for each in references or []] == [
        (company, (13, 8, 13, 21)), (team, (5, 14, 5, 27)), (team, (17, 14, 17, 27))]
    references = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(team), position=types.Position(14, 20),
        context=types.ReferenceContext(include_declaration=False)))
    assert [(each.uri, summary_of(each.range)) for each in references or []] == [
        (team, (14, 17, 14, 25))]


async def test_formula_terms_are_references(client: RecordingClient, workspace: Path) -> None:
    team, _ = await open_good_project(client, workspace)
    path = workspace / "funnel.kpi.yaml"
    path.write_text("version: 1\nkgis:\n  - id: mqls\n    name: Qualified leads a year\n"
                    "    formula: 12 * leads * (mql-rate / 100)\n", encoding="utf-8")
    funnel = open_document(client, path)
    await wait_for(client, funnel)
    definition = await client.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(funnel), types.Position(4, 30)))
    assert [(each.uri, summary_of(each.range)) for each in definition or []] == [
        (team, (15, 8, 15, 16))]
    references = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(team), position=types.Position(2, 9),
        context=types.ReferenceContext(include_declaration=False)))
    assert [(each.uri, summary_of(each.range)) for each in references or []] == [
        (funnel, (4, 18, 4, 23))]


def summary_of(range_: types.Range) -> tuple[int, int, int, int]:
    return range_.start.line, range_.start.character, range_.end.line, range_.end.character


COMPLETING = """\
version: 1
ksfs:
  - id: new-ksf
    name: A new strategy
    supports: \n\
kpis:
  - id: new-kpi
    name: New KPI
    supports: [revenue, n]
    paired_with:
      - \n\
    cadence: \n\
    direction: inc
    indicator: \n\
    unit: \n\
"""


async def complete(client: RecordingClient, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(line, character)))
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_ids_and_enum_values(client: RecordingClient,
                                                 workspace: Path) -> None:
    await open_good_project(client, workspace)
    path = workspace / "new.kpi.yaml"
    path.write_text(COMPLETING, encoding="utf-8")
    uri = open_document(client, path)
    await wait_for(client, uri)
    assert await complete(client, uri, 4, 14) == ["revenue"]  # a KSF supports KGIs
    assert await complete(client, uri, 8, 25) == ["new-ksf", "nurture-leads", "revenue"]
    assert await complete(client, uri, 10, 8) == ["leads", "mql-rate"]  # paired_with: KPIs
    assert await complete(client, uri, 11, 13) == list(
        ("daily", "weekly", "biweekly", "monthly", "quarterly", "semiannual", "annual"))
    assert await complete(client, uri, 12, 18) == ["increase", "decrease", "maintain"]
    assert await complete(client, uri, 13, 15) == ["leading", "lagging"]
    assert await complete(client, uri, 14, 10) == [
        "count", "percent", "ratio", "score", "seconds", "minutes", "hours", "days",
        "JPY", "USD", "EUR"]
    assert await complete(client, uri, 3, 10) == []  # a name is free text
    result = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(8, 25)))
    assert isinstance(result, types.CompletionList)
    item = next(each for each in result.items if each.label == "nurture-leads")
    assert item.detail == "KSF: Strengthen lead nurturing"
    assert isinstance(item.text_edit, types.TextEdit)
    assert summary_of(item.text_edit.range) == (8, 24, 8, 25)  # replaces the typed `n`


STANDING = """\
version: 1
kpis:
  - id: uptime
    name: API availability
    supports: nurture-leads
    unit: percent
    target: {min: 99.5, max: 100}
    cadence: monthly
    actual: {value: 99.93, as_of: 2026-10-31}
"""
TYPING_KEYS = STANDING + """\
    target:
      m
  - id: fresh
    actual: {v
    \n\
  - na
"""


async def test_hover_and_completion_know_bands_and_actuals(client: RecordingClient,
                                                         workspace: Path) -> None:
    await open_good_project(client, workspace)
    path = workspace / "standing.kpi.yaml"
    path.write_text(STANDING, encoding="utf-8")
    uri = open_document(client, path)
    await wait_for(client, uri)
    card = await hover_text(client, uri, 2, 10)
    assert ("- **Target:** at least 99.5% and at most 100% (standing target, held every"
            " month)") in card
    assert "- **Actual:** 99.93% as of 2026-10-31" in card
    replace_document(client, uri, TYPING_KEYS, 2)
    assert await complete(client, uri, 10, 7) == ["min", "max"]  # in a block band
    assert await complete(client, uri, 12, 14) == ["value", "as_of"]  # in a flow actual
    # an entity's keys not written yet, in the model's order
    assert await complete(client, uri, 13, 4) == [
        "name", "definition", "owner", "tags", "supports", "indicator", "primary", "unit",
        "direction", "baseline", "target", "deadline", "cadence", "source", "paired_with",
        "last_reviewed"]
    assert (await complete(client, uri, 14, 6))[:3] == ["id", "name", "definition"]
    result = await client.text_document_completion_async(types.CompletionParams(
        types.TextDocumentIdentifier(uri), types.Position(12, 14)))
    assert isinstance(result, types.CompletionList)
    edit = result.items[1].text_edit
    assert isinstance(edit, types.TextEdit)
    assert (summary_of(edit.range), edit.new_text) == ((12, 13, 12, 14), "as_of: ")


# --- staying up ---------------------------------------------------------------------------------


async def test_bad_documents_and_malformed_requests(client: RecordingClient,
                                                    workspace: Path) -> None:
    path = workspace / "bad.kpi.yaml"
    uri = open_document(client, path, "version: 1\nkpis: [" + "[" * 300 + "\n")
    published = await wait_for(client, uri)
    assert [each[0] for each in summary(published.diagnostics)] == ["E001"]
    replace_document(client, uri, "\x00\x01 garbage: [\n", 2)
    published = await wait_for(client, uri, accept=version(2))
    assert [each[0] for each in summary(published.diagnostics)] == ["E001"]
    with pytest.raises(JsonRpcException) as raised:
        await raw_request(client, "textDocument/hover", {"textDocument": 42})
    assert raised.value.code == -32602
    with pytest.raises(JsonRpcException):
        await raw_request(client, "textDocument/definition", {
            "textDocument": {"uri": uri}, "position": {"line": "x", "character": None}})
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier("file:///nowhere/at/all.kpi.yaml"),
        types.Position(0, 0))) is None
    team = open_document(client, workspace / "team.kpi.yaml")
    published = await wait_for(client, team)
    assert summary(published.diagnostics) == [("E005", *E005_RANGE)]


async def test_crashing_rules_and_loader_do_not_stop_the_server(
        crashing_client: RecordingClient, workspace: Path) -> None:
    client = crashing_client
    (workspace / "kpilint.toml").write_text(f'today = "{TODAY}"\nselect = ["E", "S206", "G104"]\n',
                                            encoding="utf-8")
    company = open_document(client, workspace / "company.kpi.yaml")
    uri = open_document(client, workspace / "team.kpi.yaml", "# x-crash-rule\n" + BROKEN_TEAM)
    published = await wait_for(client, uri)
    codes = [each[0] for each in summary(published.diagnostics)]
    assert codes == ["X002", "E005"]  # the other rules still ran
    assert "rule S206 (missing-source) crashed: RuntimeError: planted file rule bug" in (
        published.diagnostics[0].message)
    assert any("a rule crashed" in message.message for message in client.log_messages)
    mark = len(client.published)
    replace_document(client, uri, "# x-crash-project\n" + BROKEN_TEAM, 2)
    published = await wait_for(client, company, mark)
    assert [each[0] for each in summary(published.diagnostics)] == ["X002"]
    replace_document(client, uri, "# x-crash-loader\n" + BROKEN_TEAM, 3)
    published = await wait_for(client, uri, accept=version(3))
    [failure] = published.diagnostics
    assert failure.code == "X002"
    assert "RuntimeError: planted loader bug" in failure.message
    replace_document(client, uri, "# x-crash-engine\n" + BROKEN_TEAM, 4)
    published = await wait_for(client, uri, accept=version(4))
    [failure] = published.diagnostics
    assert (failure.code, summary_of(failure.range)) == ("X002", (0, 0, 0, 0))
    assert failure.message == ("kpilint could not check this file: RuntimeError: planted engine"
                               " bug (see the server log)")
    assert any("failed" in message.message and "planted engine bug" in message.message
               for message in client.log_messages)
    replace_document(client, uri, BROKEN_TEAM, 5)
    published = await wait_for(client, uri, accept=version(5))
    assert ("E005", *E005_RANGE) in summary(published.diagnostics)
    assert "X002" not in [each[0] for each in summary(published.diagnostics)]
    assert await hover_text(client, uri, 2, 10) != ""


# --- a real editor ------------------------------------------------------------------------------

NVIM_SCRIPT = """\
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "kpilint",
  cmd = { os.getenv("KPILINT_PYTHON"), "-m", "kpilint", "server" },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(bufnr, client_id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local found = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(found, { code = d.code or lsp.code, source = d.source, severity = d.severity,
    lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    message = d.message })
end
local out = io.open(os.getenv("KPILINT_NVIM_OUT"), "w")
out:write(vim.fn.json_encode({ ok = ok, diagnostics = found }))
out:close()
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
"""


@pytest.mark.slow
async def test_neovim_shows_the_diagnostics(workspace: Path, tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("Neovim (`nvim`) is not installed; install it (Debian: apt-get install"
                    " neovim) to run the end-to-end editor test")
    script = tmp_path / "kpilint-test.lua"
    script.write_text(NVIM_SCRIPT, encoding="utf-8")
    output = tmp_path / "diagnostics.json"
    env = {**os.environ, "KPILINT_PYTHON": sys.executable, "KPILINT_NVIM_OUT": str(output),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    process = await asyncio.to_thread(
        subprocess.run, [nvim, "--headless", "--clean", "-i", "NONE", "-c", f"luafile {script}",
         "team.kpi.yaml"], cwd=workspace, env=env, capture_output=True, text=True, timeout=90,
        check=False)
    assert output.exists(), process.stdout + process.stderr
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["ok"] is True
    assert [(each["code"], each["source"], each["severity"], each["lnum"], each["col"],
             each["end_lnum"], each["end_col"]) for each in result["diagnostics"]] == [
        ("E005", "kpilint", 1, *E005_RANGE)]
    assert "did you mean 'nurture-leads'?" in result["diagnostics"][0]["message"]
