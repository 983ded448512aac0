"""Shared pieces of the Python package's tests: the repository's fixtures and the real
`medscrub` binary, whose JSON the package's reports are compared with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def cli_binary() -> Path:
    """The CLI built from the same tree (scripts/test builds target/debug/medscrub)."""
    binary = Path(os.environ.get("MEDSCRUB_BIN", REPO / "target" / "debug" / "medscrub"))
    if not binary.is_file():
        pytest.fail(f"{binary} not found: build the CLI first (cargo build) or set MEDSCRUB_BIN")
    return binary


def cli_reports(paths):
    """`medscrub scan --format json` on `paths`, as {path: report}."""
    run = subprocess.run(
        [str(cli_binary()), "scan", "--format", "json", "-q", "-j", "1", *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    # 0 share, 1 needs clean, 3 blocked (src/exit.rs); 2 is a usage error.
    assert run.returncode in (0, 1, 3), run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return {r["path"]: r for r in reports}


def rules(report):
    return sorted({f["rule"] for f in report["findings"]})


@pytest.fixture(scope="session")
def photos():
    """The committed photo fixtures (metadata of every kind, HEIC, WebP, TIFF, GIF) and the
    text fixtures (a wristband, a prescription, a menu)."""
    found = sorted(p for p in (FIXTURES / "photos").iterdir() if p.is_file())
    found += sorted((FIXTURES / "text").glob("*.jpg"))
    return found
