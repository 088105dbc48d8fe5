"""A pytest-lsp client that records every publishDiagnostics, plus helpers to drive it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "kpilint", "server"]
TIMEOUT = 30.0


class RecordingClient(LanguageClient):
    """Keeps every publishDiagnostics in order (pytest-lsp keeps only the last per URI)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


def _record(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register_capability(client: RecordingClient, params: types.RegistrationParams) -> None:
    """Accept dynamic registrations, as editors do (the server asks to watch files)."""
    client.registrations.extend(params.registrations)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    register_lsp_features(client, {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record,
        types.CLIENT_REGISTER_CAPABILITY: _register_capability,
    })
    return client


def server_config(command: Sequence[str] = SERVER_COMMAND) -> ClientServerConfig:
    return ClientServerConfig(server_command=list(command), client_factory=make_client)


async def initialize(client: LanguageClient, root: Path,
                     capabilities: types.ClientCapabilities) -> types.InitializeResult:
    return await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]))


def open_document(client: LanguageClient, path: Path, text: str | None = None,
                  version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="yaml", version=version,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def replace_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """A full-text didChange (clients may always send the whole text)."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def wait_for(client: RecordingClient, uri: str, after: int = 0,
                   accept: Callable[[types.PublishDiagnosticsParams], bool] = lambda _: True,
                   ) -> types.PublishDiagnosticsParams:
    """The first publishDiagnostics for ``uri`` at or after index ``after`` that ``accept``s."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        for params in client.published[after:]:
            if params.uri == uri and accept(params):
                return params
        if asyncio.get_running_loop().time() > deadline:
            seen = [(each.uri, each.version, len(each.diagnostics))
                    for each in client.published[after:]]
            raise AssertionError(f"no matching diagnostics for {uri}; published: {seen}")
        await asyncio.sleep(0.02)


def version(number: int) -> Callable[[types.PublishDiagnosticsParams], bool]:
    return lambda params: params.version == number


def summary(diagnostics: Sequence[types.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    """(code, start line, start character, end line, end character) of each diagnostic."""
    return [(str(each.code), each.range.start.line, each.range.start.character,
             each.range.end.line, each.range.end.character) for each in diagnostics]


async def raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request exactly as given (no client-side types), and await the answer."""
    msg_id = str(uuid.uuid4())
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method,
                                "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)


def _offset(text: str, position: types.Position, encoding: str) -> int:
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]
    start = sum(len(line) for line in lines[:position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, character in enumerate(line):
        if units >= position.character:
            return start + index
        if encoding == "utf-8":
            units += len(character.encode("utf-8"))
        else:
            units += 2 if ord(character) > 0xFFFF else 1
    return start + len(line.rstrip("\r\n"))


def apply_edits(text: str, edits: Sequence[types.TextEdit], encoding: str = "utf-16") -> str:
    """``text`` with LSP edits applied (positions in ``encoding`` units)."""
    spans = sorted(((_offset(text, edit.range.start, encoding),
                     _offset(text, edit.range.end, encoding), edit.new_text) for edit in edits),
                   reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def action_edits(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    """The edits a code action makes to ``uri`` (from ``changes`` or ``documentChanges``)."""
    edit = action.edit
    assert edit is not None
    if edit.document_changes:
        return [each for change in edit.document_changes
                if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
                for each in change.edits if isinstance(each, types.TextEdit)]
    assert edit.changes is not None
    return list(edit.changes[uri])
