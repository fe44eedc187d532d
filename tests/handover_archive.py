"""A small processed archive for the hand-over package tests (tests/test_handover.py and
tests/security/test_handover_hostile.py): two generated documents imported, processed, signed and
stored by the real CLI once per test session (per xdist worker), and a fresh package of it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import run_sohoa


def processed_archive(tmp_path_factory) -> tuple[Path, str]:
    """(SOHOA_HOME, batch id) of the shared archive, built on first use. Tests that change the
    catalogue work on a copy (copy_home)."""
    base = tmp_path_factory.getbasetemp() / "handover-archive"
    home, done = base / "home", base / "done.json"
    if not done.is_file():
        shutil.rmtree(base, ignore_errors=True)
        sample = base / "sample"
        run_sohoa(base / "unused", "sample", str(sample), "--docs", "2", "--seed", "5", "--degradation", "none",
                  "--no-bad-files")
        run_sohoa(home, "registry", "import", str(sample / "registry.jsonl"))
        run_sohoa(home, "process", str(sample / "batch"), "--report", str(base / "report.json"))
        batch_id = json.loads((sample / "batch" / "batch.json").read_text("utf-8"))["batch_id"]
        done.write_text(json.dumps({"batch_id": batch_id}), "utf-8")
    return home, json.loads(done.read_text("utf-8"))["batch_id"]


def copy_home(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def runtime(home: Path):
    from sohoa.core.config import load_settings

    from sohoa.runtime import build_runtime

    return build_runtime(load_settings(env={"SOHOA_HOME": str(home)}), need_signer=False, actor="test")
