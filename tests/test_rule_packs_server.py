"""Rule packs in the language server (SPEC 10.7): the same rules, and a pack edit reloads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import TODAY, write_files
from tests.lsp.client import (
    RecordingClient,
    open_document,
    summary,
    wait_for,
)

pytestmark = pytest.mark.asyncio

PACK = """\
rules:
  - code: C001
    name: team-prefix
    severity: warning
    message: "KPI id {id} lacks the team prefix"
    given: kpis
    then: {field: id, pattern: "^mkt-"}
  - code: C002
    name: short-name
    severity: info
    message: "name '{value}' is longer than 12 characters"
    url: https://wiki.example/short-names
    given: kpis
    then: {field: name, max-length: 12}
"""

SPEC = """\
version: 1
kpis:
  - id: leads
    name: Qualified leads per month
  - id: mkt-rate  # kpilint: disable=team-prefix
    name: Rate
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_files(tmp_path / "goals", {
        "kpilint.toml": f'today = "{TODAY}"\nselect = ["C", "X001"]\n'
                        'rule-packs = ["conventions.yaml"]\n',
        "conventions.yaml": PACK,
        "team.kpi.yaml": SPEC,
    })


async def test_pack_rules_are_published_and_follow_the_pack(client: RecordingClient,
                                                            workspace: Path) -> None:
    uri = open_document(client, workspace / "team.kpi.yaml")
    published = await wait_for(client, uri, accept=lambda params: bool(params.diagnostics))
    assert summary(published.diagnostics) == [
        ("C001", 2, 8, 2, 13), ("C002", 3, 10, 3, 35), ("X001", 4, 18, 4, 48)]
    first, second, _ = published.diagnostics
    assert first.message == "KPI id leads lacks the team prefix"
    assert first.code_description is None
    assert second.message == "name 'Qualified leads per month' is longer than 12 characters"
    assert second.code_description is not None
    assert second.code_description.href == "https://wiki.example/short-names"
    pack = workspace / "conventions.yaml"
    pack.write_text(PACK.replace('"^mkt-"', '"^(mkt-|leads)"'), encoding="utf-8")
    mark = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=pack.as_uri(), type=types.FileChangeType.Changed)]))
    published = await wait_for(client, uri, mark)
    assert summary(published.diagnostics) == [("C002", 3, 10, 3, 35), ("X001", 4, 18, 4, 48)]
