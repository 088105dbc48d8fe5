"""A run that keeps its report encodes it once, and writes those bytes: the output is the text
an uncached run writes, in every stdout encoding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = """\
version: 1
kpis:
  - id: schueler
    name: Schüler pro Monat — 生徒数
    unit: count
    target: 40
"""


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1:backslashreplace", "utf-16-le"])
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_kept_report_is_written_as_an_uncached_one(tmp_path: Path, encoding: str,
                                                     output_format: str) -> None:
    (tmp_path / "kpilint.toml").write_text('today = "2026-07-01"\n', encoding="utf-8")
    (tmp_path / "schüler-生徒.kpi.yaml").write_text(SPEC, encoding="utf-8")  # in each finding
    environment = {**os.environ, "PYTHONIOENCODING": encoding}
    outputs = []
    for cache in ("--no-cache", None, None):  # uncached; kept (rendered); answered from it
        command = [sys.executable, "-m", "kpilint", "check", ".", "--output-format",
                   output_format, *([cache] if cache else [])]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, env=environment,
                              check=False)
        assert done.returncode == 1, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    # a report for people in stdout's encoding; a document for programs always in UTF-8
    written = encoding.split(":")[0] if output_format == "text" else "utf-8"
    assert "schüler-".encode(written) in outputs[0]
    assert (tmp_path / ".kpilint_cache").is_dir()
