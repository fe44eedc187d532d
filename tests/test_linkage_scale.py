"""Record linkage at scale (issue 15), correctness only: the benchmark's own code
(bench/linkage.py) at a small size on SQLite -- a generated registry imported through
`import_registry`, documents linked with `match_persons`. Timing is the benchmark's
business (bench/RESULTS.md), never a test's."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sohoa.archive.catalogue import Catalogue
from sohoa.archive.models import AuditEvent, RegistryHistory, RegistryRecord
from sohoa.reconciler import match
from sohoa.reconciler.registry import RegistryError, import_registry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import linkage  # noqa: E402


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    work = tmp_path_factory.mktemp("linkage")
    return linkage.generate(work / "registry.jsonl", 20_000, 400, seed=15, peer=500), work


def _assert_all_right(st: linkage.LinkStats) -> None:
    assert st.failures == [], st.failures[:5]
    assert st.right == st.persons
    for kind in linkage.KINDS:  # every fault was drawn, and every person of it linked right
        assert st.by_kind[kind][0] > 20 and st.by_kind[kind][1:] == [0, 0], (kind, st.by_kind[kind])


@pytest.mark.slow
def test_one_field_off_still_links_and_no_record_is_none(registry):
    reg, work = registry
    assert reg.records == 20_000 and len(reg.queries) == 400
    run = linkage.run_db("sqlite", reg, work / "sqlite", chunk=700)  # several chunks
    assert run.added == 20_000
    _assert_all_right(run.links)  # no_record: every person None; the rest: each person's own record


@pytest.mark.slow
def test_saturated_blocks_give_way_to_number_and_date(registry, monkeypatch):
    """With blocks capped at 5 records, a document number and a day are keys too many
    records share (as at a million records): the number and the date together still
    find the record when the personal ID is off, and no chance record links."""
    reg, work = registry
    cat = Catalogue(f"sqlite:///{work / 'sqlite' / 'home' / 'catalogue.sqlite3'}")
    with cat.session() as s:
        assert s.query(RegistryRecord).count() == 20_000
    monkeypatch.setattr(match, "MAX_CANDIDATES", 5)
    st = linkage.link_all(cat, reg.queries)
    cat.dispose()
    _assert_all_right(st)


def test_import_in_chunks_is_all_or_nothing(tmp_path):
    recs = [{"record_id": f"R{i}", "doc_type": "judgment", "document_number": f"{i}/2024/HS-ST",
             "issue_date": "2024-03-18", "person_name": "Nguyễn Văn An", "personal_id": f"0010900{i:05d}"}
            for i in range(1, 8)]
    path = tmp_path / "r.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in recs]
    path.write_text("\n".join(lines[:6] + ['{"record_id": "R9", "doc_type": "memo"}'] + lines[6:]) + "\n", "utf-8")
    cat = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    with pytest.raises(RegistryError, match="line 7"):
        import_registry(cat, path, actor="t", chunk=2)  # three chunks written before line 7
    with cat.session() as s:
        assert s.query(RegistryRecord).count() == 0 and s.query(RegistryHistory).count() == 0
        assert s.query(AuditEvent).count() == 0
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert import_registry(cat, path, actor="t", chunk=2).added == 7
    recs[3]["person_name"] = "Nguyễn Văn Ân"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", "utf-8")
    res = import_registry(cat, path, actor="t", chunk=2)
    assert (res.added, res.updated, res.unchanged) == (0, 1, 6)
    with cat.session() as s:
        assert s.get(RegistryRecord, "R4").data["person_name"] == "Nguyễn Văn Ân"
        assert [(h.field, h.old_value, h.new_value) for h in s.query(RegistryHistory).filter_by(record_id="R4")
                .order_by(RegistryHistory.id)][1:] == [("person_name", "Nguyễn Văn An", "Nguyễn Văn Ân")]
        assert s.query(RegistryHistory).filter_by(field="*").count() == 7
    cat.dispose()
