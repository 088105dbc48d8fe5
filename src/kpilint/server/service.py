"""The server's state: open documents, projects, debounced runs in a worker thread, and the
diagnostics published after each run. The features (hover, definition, references, completion,
code actions) live in their own modules and read the same project graph."""


from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from kpilint import __version__
from kpilint.config import CONFIG_NAMES, Config, ConfigError, find_config_in, load_config
from kpilint.diagnostics import Diagnostic
from kpilint.engine import ProjectResult
from kpilint.project import find_root
from kpilint.server.diagnostics import Rendering, internal_error
from kpilint.server.navigation import Mention, mention_at
from kpilint.server.text import UTF16, SourceText, fs_path
from kpilint.server.workspace import (
    DISK,
    FORGET,
    Change,
    OpenDocument,
    Project,
    Published,
    Snapshot,
)

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger("kpilint.server")

logger = logging.getLogger("kpilint.server")

DEBOUNCE_SECONDS = 0.15
WATCHED_GLOBS = ("**/*.{yaml,yml}", "**/kpilint.toml", "**/.kpilint.toml", "**/pyproject.toml")


class KpilintService:
    """The server's state and the LSP features, over a pygls server that delivers the messages."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.projects: dict[Path, Project] = {}
        self.documents: dict[str, OpenDocument] = {}
        self.published: dict[str, Published] = {}
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="kpilint-lint")
        self.tasks: set[asyncio.Future[None]] = set()
        self.shown_errors: set[str] = set()

    # -- client facts --

    @property
    def encoding(self) -> str:
        try:
            encoding = self.server.workspace.position_encoding
        except RuntimeError:
            return UTF16
        return str(getattr(encoding, "value", encoding) or UTF16)

    def markdown(self) -> bool:
        hover = self.server.client_capabilities.text_document
        formats = hover.hover.content_format if hover and hover.hover else None
        return not formats or types.MarkupKind.Markdown in formats

    def folders(self) -> list[Path]:
        try:
            workspace = self.server.workspace
        except RuntimeError:
            return []
        found = [fs_path(folder.uri) for folder in workspace.folders.values()]
        root = workspace.root_uri and fs_path(workspace.root_uri)
        return [path for path in (*found, root) if path is not None]

    # -- messages to the client --

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.server.window_log_message(types.LogMessageParams(kind, message))
        except Exception:  # the client is gone: stderr is all that is left
            logger.warning("%s", message)

    def show_once(self, message: str) -> None:
        self.log(message, types.MessageType.Error)
        if message not in self.shown_errors:
            self.shown_errors.add(message)
            self.server.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, message))

    # -- projects and documents --

    def project_for(self, path: Path) -> Project:
        folders = self.folders()
        containing = [folder for folder in folders if path.is_relative_to(folder)]
        cwd = max(containing, key=lambda folder: len(folder.parts)) if containing else path.parent
        root, config_file = find_root(path, cwd)
        project = self.projects.get(root)
        if project is None:
            discover = config_file is not None or (root / ".git").exists() or root in folders
            try:
                config = load_config(config_file) if config_file else Config()
                project = Project(root, config, None, discover)
            except ConfigError as error:
                project = Project(root, None, f"kpilint: {error}", discover)
            self.projects[root] = project
        return project

    def attach(self, uri: str) -> OpenDocument | None:
        path = fs_path(uri)
        if path is None:
            return None
        project = self.project_for(path)
        if project.error is not None:
            self.show_once(project.error)
        document = OpenDocument(uri, path, project, project.includes(path))
        self.documents[uri] = document
        if not document.linted:
            self.clear(uri)
            return document
        project.pending[path] = uri
        return document

    def open_in(self, project: Project) -> list[OpenDocument]:
        return [document for document in self.documents.values()
                if document.project is project and document.linted]

    def reload(self) -> None:
        """Drop every project and resolve the open documents again (a config changed)."""
        for project in self.projects.values():
            project.closed = True
            if project.timer is not None:
                project.timer.cancel()
        self.projects.clear()
        self.shown_errors.clear()
        for uri in list(self.documents):
            self.attach(uri)
        for project in self.projects.values():
            if self.open_in(project):
                self.schedule(project, 0)
        self.log("kpilint: configuration changed; projects reloaded")

    def is_config(self, path: Path) -> bool:
        if any(project.config is not None and path.resolve() in project.config.rule_packs
               for project in self.projects.values()):
            return True  # a rule pack (SPEC 10.7): its rules change with it
        if path.name not in CONFIG_NAMES:
            return False
        if path.name != "pyproject.toml":
            return True
        return any(project.config is not None and project.config.path == path
                   for project in self.projects.values()) or (
            find_config_in(path.parent) == path)

    def changes_context(self, path: Path) -> bool:
        """Whether a change of ``path`` changes what every file of a project is checked
        against: a config or rule pack (:meth:`is_config`), or a project's dbt metrics
        (:meth:`DbtProject.reads`): the projects are loaded again."""
        if self.is_config(path):
            return True
        for project in self.projects.values():
            dbt = project.linter.context.dbt if project.linter is not None else None
            if dbt is not None and path.is_relative_to(project.root) and dbt.reads(path):
                return True
        return False

    # -- running lints --

    def schedule(self, project: Project, delay: float) -> None:
        if project.timer is not None:
            project.timer.cancel()
        project.timer = asyncio.get_running_loop().call_later(delay, self._start, project)

    def _start(self, project: Project) -> None:
        project.timer = None
        task = asyncio.ensure_future(self.run(project))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def flush(self, project: Project) -> None:
        """Lint now what is pending (requests that need positions call this first)."""
        if project.timer is not None:
            project.timer.cancel()
            project.timer = None
        await self.run(project)

    def _changes(self, project: Project) -> tuple[dict[Path, Change], set[str]]:
        """The pending changes (open buffers' current text, other files from disk), and the
        open documents among them."""
        changes: dict[Path, Change] = {}
        buffers: set[str] = set()
        for path, uri in project.pending.items():
            document = self.documents.get(uri) if uri else None
            if document is not None and document.linted:
                changes[path] = self._buffer(project, document)
                buffers.add(document.uri)
            else:
                changes[path] = DISK if project.includes(path) else FORGET
        project.pending.clear()
        if project.full_load:
            for document in self.open_in(project):
                if document.path not in changes:
                    changes[document.path] = self._buffer(project, document)
                    buffers.add(document.uri)
        return changes, buffers

    def _buffer(self, project: Project, document: OpenDocument) -> bytes:
        text = self.server.workspace.get_text_document(document.uri)
        project.linted[document.uri] = text.version
        return text.source.encode("utf-8", "surrogatepass")

    async def run(self, project: Project) -> None:
        async with project.lock:
            if project.closed or project.config is None or not self.open_in(project):
                return
            if not project.pending and not project.full_load:
                return
            full = project.full_load
            changes, buffers = self._changes(project)
            project.full_load = False
            loop = asyncio.get_running_loop()
            try:
                report = await loop.run_in_executor(self.executor, project.lint, changes, full)
            except Exception as error:  # an engine bug: report it, keep serving
                trace = traceback.format_exc()
                logger.error("checking %s failed:\n%s", project.root, trace)
                self.log(f"kpilint: checking {project.root} failed:\n{trace}",
                         types.MessageType.Error)
                project.full_load = full or project.linter is None
                self._publish_failure(project, buffers, f"{type(error).__name__}: {error}")
                return
            if project.closed:
                return
            project.snapshot = report.snapshot
            project.runs += 1
            project.last_run = report
            for crash in report.crashes:
                self.log(f"kpilint: a rule crashed (reported as X002):\n{crash}",
                         types.MessageType.Error)
            self.log(f"kpilint: checked {project.root} in {report.seconds * 1000:.0f} ms;"
                     f" read {len(report.from_buffer)} open document(s)"
                     f" and {len(report.from_disk)} file(s) from disk;"
                     f" file rules ran on {len(report.file_rules_run)} file(s)")
            self.publish(project, report.snapshot, buffers)

    # -- diagnostics --

    def clear(self, uri: str) -> None:
        if self.published.pop(uri, None) is not None or uri in self.documents:
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def publish(self, project: Project, snapshot: Snapshot, buffers: set[str]) -> None:
        """Publish for each open document of the project whose findings or text changed.

        Only documents whose buffer the linter holds: one opened while a run was reading the
        others from disk waits for the next run, which reads it.
        """
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in snapshot.result.diagnostics:
            by_path.setdefault(diagnostic.location.path, []).append(diagnostic)
        rendering = Rendering(snapshot, self.encoding)
        for document in self.open_in(project):
            if document.uri not in project.linted:
                continue
            display = project.display(document.path)
            failure = snapshot.failures.get(document.path)
            findings = [internal_error(display, failure)] if failure is not None else (
                by_path.get(display, []))
            previous = self.published.get(document.uri)
            if previous is not None and previous.findings == findings and (
                    document.uri not in buffers):
                continue
            self._send(document.uri, project.linted[document.uri], findings,
                       [rendering.diagnostic(each) for each in findings])

    def _publish_failure(self, project: Project, buffers: set[str], message: str) -> None:
        """An X002 at the top of each document the failed run was checking."""
        nothing = Snapshot(ProjectResult([], []), {}, {})
        for document in self.open_in(project):
            if document.uri in buffers:
                finding = internal_error(project.display(document.path), message)
                self._send(document.uri, project.linted[document.uri], [finding],
                           [Rendering(nothing, self.encoding).diagnostic(finding)])

    def _send(self, uri: str, version: int | None, findings: list[Diagnostic],
              diagnostics: list[types.Diagnostic]) -> None:
        self.published[uri] = Published(version, findings, diagnostics)
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    # -- document notifications --

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        document = self.attach(params.text_document.uri)
        if document is not None and document.linted:
            self.schedule(document.project, 0)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is None or not document.linted:
            return
        document.project.pending[document.path] = document.uri
        self.schedule(document.project, DEBOUNCE_SECONDS)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        path = fs_path(params.text_document.uri)
        if path is not None and self.changes_context(path):
            self.reload()
            return
        self.check_now(params.text_document.uri)

    def check_now(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None or not document.linted:
            return
        document.project.pending[document.path] = uri
        self.schedule(document.project, 0)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = self.documents.pop(uri, None)
        self.clear(uri)
        if document is None or not document.linted:
            return
        project = document.project
        project.pending[document.path] = None
        project.linted.pop(uri, None)
        if self.open_in(project):
            self.schedule(project, DEBOUNCE_SECONDS)

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        touched: dict[Path, Project] = {}
        open_paths = {document.path for document in self.documents.values()}
        for change in params.changes:
            path = fs_path(change.uri)
            if path is None:
                continue
            if self.changes_context(path):
                self.reload()
                return
            if path in open_paths:
                continue  # the buffer, not the disk, is what the user sees
            for project in self.projects.values():
                if project.linter is not None and path.is_relative_to(project.root) and (
                        find_root(path, project.root)[0] == project.root):
                    project.pending[path] = None
                    touched[project.root] = project
        for project in touched.values():
            self.schedule(project, DEBOUNCE_SECONDS)

    async def initialized(self, params: types.InitializedParams) -> None:
        capabilities = self.server.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if not (watched and watched.dynamic_registration):
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS])
        try:
            await self.server.client_register_capability_async(types.RegistrationParams(
                registrations=[types.Registration(
                    id="kpilint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=options)]))
        except Exception as error:  # the client refused: config reloads on save only
            self.log(f"kpilint: could not watch files ({error}); the config reloads on save")

    def shutdown(self, params: None) -> None:
        for project in self.projects.values():
            project.closed = True
            if project.timer is not None:
                project.timer.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- requests that need the document's current state --

    async def current(self, uri: str) -> tuple[OpenDocument, Project, Snapshot] | None:
        """The open document, its project and a snapshot that includes its latest text."""
        document = self.documents.get(uri)
        if document is None or not document.linted:
            return None
        project = document.project
        await self.flush(project)
        if project.snapshot is None:
            return None
        return document, project, project.snapshot

    async def mention_at(self, uri: str, position: types.Position,
                         ) -> tuple[Project, Rendering, Mention] | None:
        """The id under the cursor, after the document's latest text was checked."""
        found = await self.current(uri)
        if found is None:
            return None
        document, project, snapshot = found
        spec = snapshot.specs.get(document.path)
        if spec is None:
            return None
        text = SourceText(self.server.workspace.get_text_document(uri).source, self.encoding)
        line, column = text.code_point(position)
        mention = mention_at(spec, line, column)
        if mention is None:
            return None
        return project, Rendering(snapshot, self.encoding), mention

    def status(self, params: Any) -> dict[str, Any]:
        return {"version": __version__, "encoding": self.encoding, "projects": [{
            "root": str(project.root),
            "config": str(project.config.path) if project.config and project.config.path
            else None,
            "error": project.error,
            "files": len(project.linter.files) if project.linter else 0,
            "runs": project.runs,
            "last_run": project.last_run.as_json() if project.last_run else None,
        } for project in self.projects.values()]}


