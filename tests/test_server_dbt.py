"""The language server on `source: dbt:<metric>` (SPEC 10.6): hover shows the metric's label,
description and type; definition jumps to the metric's `name` in the dbt YAML. Same harness as
tests/test_server.py (pytest-lsp driving the real ``python -m kpilint server``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import TODAY, write_files
from tests.lsp.client import RecordingClient, open_document, wait_for
from tests.test_dbt import METRICS

pytestmark = pytest.mark.asyncio

TEAM = """\
version: 1
kpis:
  - id: mrr
    name: Monthly recurring revenue
    source: dbt:mrr
  - id: churn
    name: Logo churn rate
    source: dbt:logo_churn
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_files(tmp_path / "goals", {
        "kpilint.toml": f'today = "{TODAY}"\nselect = ["E"]\n',
        "analytics/dbt_project.yml": "name: analytics\nconfig-version: 2\n",
        "analytics/models/marts/metrics.yml": METRICS,
        "team.kpi.yaml": TEAM,
    })


async def hover(client: RecordingClient, uri: str, line: int, character: int) -> types.Hover:
    found = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(line, character)))
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    return found


async def test_hover_on_a_dbt_source_shows_the_metric(client: RecordingClient,
                                                      workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    published = await wait_for(client, uri)
    assert [(each.code, each.range.start.line, each.range.start.character)
            for each in published.diagnostics] == [("E006", 7, 12)]
    found = await hover(client, uri, 4, 16)
    assert found.contents.value == (  # type: ignore[union-attr]
        "**dbt metric `mrr`: Monthly recurring revenue**\n\n"
        "Sum of the monthly amount of active subscriptions.\n\n"
        "- **Type:** simple\n"
        "- **Defined in:** analytics/models/marts/metrics.yml:3")
    assert found.range == types.Range(types.Position(4, 12), types.Position(4, 19))
    unknown = await hover(client, uri, 7, 14)
    assert unknown.contents.value == (  # type: ignore[union-attr]
        "dbt metric `logo_churn`: not defined in the dbt project 'analytics'"
        " (did you mean logo_churn_rate?)")
    card = await hover(client, uri, 2, 9)  # an id keeps its entity card
    assert card.contents.value.startswith("**KPI `mrr`: Monthly recurring revenue**")  # type: ignore[union-attr]


async def test_definition_jumps_to_the_metric_name(client: RecordingClient,
                                                   workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri)
    found = await client.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(uri), types.Position(4, 17)))
    metrics = workspace / "analytics" / "models" / "marts" / "metrics.yml"
    assert found == [types.Location(metrics.as_uri(), types.Range(types.Position(2, 10),
                                                                  types.Position(2, 13)))]
    assert await client.text_document_definition_async(types.DefinitionParams(
        types.TextDocumentIdentifier(uri), types.Position(7, 17))) == []


def _codes(published: types.PublishDiagnosticsParams) -> list[tuple[str | int | None, int, int]]:
    return [(each.code, each.range.start.line, each.range.start.character)
            for each in published.diagnostics]


async def _changed_on_disk(client: RecordingClient, uri: str, path: Path, text: str,
                           change: types.FileChangeType) -> types.PublishDiagnosticsParams:
    """Write ``path`` (or remove it, for ``text`` empty), tell the server as an editor's file
    watcher does, and wait for the open document's diagnostics again."""
    if text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        path.unlink()
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=path.as_uri(), type=change)]))
    return await wait_for(client, uri, mark)


async def test_a_metric_file_changed_on_disk_checks_the_sources_again(
        client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    assert _codes(await wait_for(client, uri)) == [("E006", 7, 12)]
    metrics = workspace / "analytics" / "models" / "marts" / "metrics.yml"
    renamed = METRICS.replace("name: logo_churn_rate", "name: logo_churn")
    published = await _changed_on_disk(client, uri, metrics, renamed,
                                       types.FileChangeType.Changed)
    assert _codes(published) == []
    added = workspace / "analytics" / "models" / "more.yml"  # a new file under model-paths
    published = await _changed_on_disk(client, uri, metrics, METRICS,
                                       types.FileChangeType.Changed)
    assert _codes(published) == [("E006", 7, 12)]
    published = await _changed_on_disk(
        client, uri, added, "metrics:\n  - name: logo_churn\n", types.FileChangeType.Created)
    assert _codes(published) == []


async def test_a_dbt_project_made_where_there_was_none_is_read(
        client: RecordingClient, tmp_path: Path) -> None:
    workspace = write_files(tmp_path / "goals", {
        "kpilint.toml": f'today = "{TODAY}"\nselect = ["E"]\n', "team.kpi.yaml": TEAM})
    uri = open_document(client, workspace / "team.kpi.yaml")
    assert [code for code, _, _ in _codes(await wait_for(client, uri))] == ["E006"]
    write_files(workspace / "analytics", {"models/marts/metrics.yml": METRICS})
    published = await _changed_on_disk(client, uri, workspace / "analytics" / "dbt_project.yml",
                                       "name: analytics\nconfig-version: 2\n",
                                       types.FileChangeType.Created)
    assert _codes(published) == [("E006", 7, 12)]


async def test_a_shallower_dbt_project_made_is_the_one_read(
        client: RecordingClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    assert _codes(await wait_for(client, uri)) == [("E006", 7, 12)]
    write_files(workspace / "aaa", {"models/m.yml": "metrics:\n  - name: logo_churn\n"})
    published = await _changed_on_disk(client, uri, workspace / "aaa" / "dbt_project.yml",
                                       "name: aaa\n", types.FileChangeType.Created)
    assert _codes(published) == [("E006", 4, 12)]  # first in path order: mrr is not in it


@pytest.mark.parametrize("folder", ["analytics", "analytics/models/marts"])
async def test_a_folder_of_the_dbt_project_removed_at_once(
        client: RecordingClient, workspace: Path, folder: str) -> None:
    """Some editors report a folder removed as one event, for the folder."""
    uri = open_document(client, workspace / "team.kpi.yaml")
    await wait_for(client, uri)
    shutil.rmtree(workspace / folder)
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(workspace / folder).as_uri(), type=types.FileChangeType.Deleted)]))
    published = await wait_for(client, uri, mark)
    assert [code for code, _, _ in _codes(published)] == ["E006"] * (
        1 if folder == "analytics" else 2)  # no project: once per file; no metrics: each


async def test_a_model_path_spelled_with_dots_is_watched(
        client: RecordingClient, workspace: Path) -> None:
    write_files(workspace / "analytics", {
        "dbt_project.yml": 'name: analytics\nmodel-paths: ["models/../other"]\n',
        "other/m.yml": METRICS})
    uri = open_document(client, workspace / "team.kpi.yaml")
    assert _codes(await wait_for(client, uri)) == [("E006", 7, 12)]
    published = await _changed_on_disk(
        client, uri, workspace / "analytics" / "other" / "m.yml",
        METRICS.replace("name: logo_churn_rate", "name: logo_churn"), types.FileChangeType.Changed)
    assert _codes(published) == []
