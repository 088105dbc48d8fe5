"""Time the language server's re-lint after an edit: a 50-KPI file in a 2,000-file workspace.

Usage: ``python benchmarks/lsp_latency.py [--files N] [--kpis M] [--edits E] [--seed S]``

The workspace is ``generate_project(outdir, files=N, kpis=5)`` (N team files plus
``company.kpi.yaml``) whose first team file is replaced by the same team with M KPIs
(``generate_project(..., files=1, kpis=M)``), so ids and references stay consistent. The script
starts ``sys.executable -m kpilint server`` as an editor would, opens that file, waits for its
first diagnostics (the cold load of the whole project: the server publishes them after its first
run, which loads every file and checks the whole project, so they are final), then sends E
edits one after another, each a full-text ``didChange`` changing one KPI's target, and times
each until the server publishes the diagnostics of that version. It prints:

- edit -> diagnostics: wall time from sending ``didChange`` to receiving ``publishDiagnostics``
  (includes the server's 150 ms debounce, as an editor sees it);
- server re-lint: the server's own time for the run (re-reading the buffer, the file rules of
  that file, the project rules), from the ``kpilint/status`` request;
- save -> diagnostics: the same edit followed by ``didSave``, which skips the debounce.

With ``--cached`` a ``kpilint check`` of the workspace runs first, so the server's first open
restores that check's result cache (the usual case once a project has been checked).

p50 and p95 of each (nearest rank). Timings depend on the machine; they are printed, never
asserted. Uses pygls' client (a dependency of kpilint) and ``generate.py``; exit 1 on a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generate import generate_project, positive_int
from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT_SECONDS = 600.0


class BenchClient(LanguageClient):
    """Records when each (uri, version) of diagnostics arrives."""

    def __init__(self) -> None:
        super().__init__("kpilint-lsp-latency", "1")
        self.arrivals: dict[tuple[str, int | None], float] = {}
        self.counts: dict[tuple[str, int | None], int] = {}

    async def published(self, uri: str, version: int) -> tuple[float, int]:
        """When diagnostics for ``version`` of ``uri`` arrived, and how many there were."""
        deadline = time.perf_counter() + TIMEOUT_SECONDS
        while (uri, version) not in self.arrivals:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for version {version} of {uri}")
            await asyncio.sleep(0.001)
        return self.arrivals[(uri, version)], self.counts[(uri, version)]


def make_client() -> BenchClient:
    client = BenchClient()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        client.arrivals.setdefault((params.uri, params.version), time.perf_counter())
        client.counts[(params.uri, params.version)] = len(params.diagnostics)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        """The server logs each run; nothing to do with it here."""

    return client


def build_workspace(root: Path, files: int, kpis: int, seed: int) -> Path:
    """The generated project with its first team file grown to ``kpis`` KPIs; that file."""
    written = generate_project(root, files=files, kpis=5, seed=seed)
    with tempfile.TemporaryDirectory(prefix="kpilint-one-") as scratch:
        [big, _company] = generate_project(scratch, files=1, kpis=kpis, seed=seed)
        target = written[0]
        assert big.relative_to(scratch) == target.relative_to(root)
        shutil.copyfile(big, target)
    return target


def edited(text: str, round_number: int) -> str:
    """``text`` with the first KPI target changed (a different value every round)."""
    marker = "\n    target: "
    start = text.index(marker, text.index("\nkpis:")) + len(marker)
    end = text.index("\n", start)
    value = float(text[start:end])
    return f"{text[:start]}{value + round_number % 7 + 1:g}{text[end:]}"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def row(label: str, values: Sequence[float]) -> str:
    p50, p95 = (percentile(values, share) * 1000 for share in (0.50, 0.95))
    mean = statistics.mean(values) * 1000
    return (f"{label:<26} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   mean {mean:8.1f} ms"
            f"   (n={len(values)})")


def plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


async def drain(stream: asyncio.StreamReader | None) -> None:
    """Keep reading the server's stderr so that it can never block on a full pipe."""
    while stream is not None and await stream.readline():
        pass


async def measure(root: Path, path: Path, edits: int) -> int:
    client = make_client()
    await client.start_io(sys.executable, "-m", "kpilint", "server", cwd=root)
    process = client._server
    stderr_task = asyncio.create_task(drain(process.stderr if process else None))
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)]))
    client.initialized(types.InitializedParams())
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    arrived, count = await client.published(uri, 1)
    status = plain(await client.protocol.send_request_async("kpilint/status", None))
    [project] = status["projects"]
    assert project["runs"] == 1 and project["files"] == len(list(root.rglob("*.kpi.yaml"))), (
        project)  # published by the run that loaded and checked the whole project
    print(f"{'open (cold project load)':<26} {(arrived - started) * 1000:8.1f} ms"
          f"   ({count} diagnostics in the file; the server's run:"
          f" {project['last_run']['milliseconds']:.1f} ms)")

    change_times: list[float] = []
    server_times: list[float] = []
    save_times: list[float] = []
    version = 1
    for round_number in range(edits * 2):
        version += 1
        new_text = edited(text, round_number)
        with_save = round_number >= edits
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)]))
        if with_save:
            client.text_document_did_save(types.DidSaveTextDocumentParams(
                types.TextDocumentIdentifier(uri)))
        arrived, _ = await client.published(uri, version)
        (save_times if with_save else change_times).append(arrived - started)
        status = plain(await client.protocol.send_request_async("kpilint/status", None))
        [project] = status["projects"]
        last = project["last_run"]
        assert last["from_disk"] == [] and len(last["from_buffer"]) == 1, last
        if not with_save:
            server_times.append(last["milliseconds"] / 1000)
    print(row("edit -> diagnostics", change_times))
    print(row("server re-lint", server_times))
    print(row("save -> diagnostics", save_times))
    print(f"project: {project['files']} files; each re-lint re-read 1 open document and 0 files"
          " from disk")
    await client.shutdown_async(None)
    client.exit(None)
    if process is not None:
        await asyncio.wait_for(process.wait(), 30)
    stderr_task.cancel()
    await client.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=positive_int, default=2000,
                        help="team files in the workspace (default 2000)")
    parser.add_argument("--kpis", type=positive_int, default=50,
                        help="KPIs in the edited file (default 50)")
    parser.add_argument("--edits", type=positive_int, default=20,
                        help="edits timed per scenario (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cached", action="store_true",
                        help="run `kpilint check` in the workspace first, so that the server's"
                             " first open starts from its result cache")
    args = parser.parse_args(argv)
    print(f"kpilint language server latency: {platform.python_implementation()}"
          f" {platform.python_version()}, {platform.system()} {platform.machine()},"
          f" {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="kpilint-lsp-") as scratch:
        root = Path(scratch) / "workspace"
        path = build_workspace(root, args.files, args.kpis, args.seed)
        print(f"workspace: {args.files} team files + company.kpi.yaml; edited file"
              f" {path.relative_to(root)} with {args.kpis} KPIs")
        if args.cached:
            subprocess.run([sys.executable, "-m", "kpilint", "check", "--exit-zero", "-q"],
                           cwd=root, check=True, capture_output=True)
            print("result cache written by `kpilint check` before the server starts")
        try:
            return asyncio.run(measure(root, path, args.edits))
        except TimeoutError as error:
            print(f"lsp_latency: {error}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
