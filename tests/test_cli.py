"""The CLI's contract on failure: non-zero exit, one line saying what is wrong, nothing written."""
from __future__ import annotations

import pytest
from conftest import run_sohoa


def _one_line_error(proc) -> str:
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and err.startswith("sohoa: error:"), proc.stderr
    return err


def test_fetch_unknown_and_malformed_ids(home, tmp_path):
    assert "not in the archive" in _one_line_error(
        run_sohoa(home, "fetch", "D" + "f" * 24, "-o", str(tmp_path / "x.pdf"), check=False))
    assert "not a document id" in _one_line_error(
        run_sohoa(home, "fetch", "../../etc/passwd", "-o", str(tmp_path / "x.pdf"), check=False))
    assert not (tmp_path / "x.pdf").exists()


def test_verify_non_pdf_is_not_valid(home, tmp_path):
    f = tmp_path / "note.pdf"
    f.write_text("không phải PDF", "utf-8")
    proc = run_sohoa(home, "verify", str(f), check=False)
    assert proc.returncode == 1 and "NOT VALID" in proc.stdout
    assert "No such file" in _one_line_error(run_sohoa(home, "verify", str(tmp_path / "nope.pdf"), check=False))


def test_bad_settings_and_registry(home, tmp_path):
    err = _one_line_error(run_sohoa(home, "status", "B1", check=False, env={"SOHOA_REVIEW_THRESHOLD": "abc"}))
    assert "review_threshold" in err
    assert "no such registry file" in _one_line_error(
        run_sohoa(home, "registry", "import", str(tmp_path / "none.jsonl"), check=False))
    bad = tmp_path / "r.jsonl"
    bad.write_text('{"record_id": "R1", "doc_type": "judgment"}\n{not json\n', "utf-8")
    assert "line 2" in _one_line_error(run_sohoa(home, "registry", "import", str(bad), check=False))


@pytest.mark.parametrize("env,needle", [
    ({"SOHOA_STORE": "s3", "SOHOA_S3_ENDPOINT": "127.0.0.1:1", "SOHOA_S3_ACCESS_KEY": "a",
      "SOHOA_S3_SECRET_KEY": "b"}, "unreachable"),
    ({"SOHOA_DB_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, "unreachable"),
])
def test_process_with_services_down_fails_before_any_work(home, tmp_path, env, needle):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.txt").write_text("x")
    report = tmp_path / "r.json"
    err = _one_line_error(run_sohoa(home, "process", str(batch), "--report", str(report), check=False, env=env))
    assert needle in err
    assert not report.exists()
