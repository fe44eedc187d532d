"""A registry kept in another system's PostgreSQL database, in that system's own schema (not
sohoa's): a person table `doi_tuong` joined to a document table `van_ban`, Vietnamese column
names, dates as dd/mm/yyyy text, lists in one text column, a penalty in years + months, the
kind of sentence in words. Test material for tests/test_registry_sync*.py and tests/security/."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
    update,
)

PENALTY_WORDS = {"tù có thời hạn": "imprisonment", "án treo": "suspended_imprisonment",
                 "cải tạo không giam giữ": "non_custodial_reform", "phạt tiền": "fine",
                 "tù chung thân": "life_imprisonment", "tử hình": "death", "trục xuất": "expulsion"}
KIND_WORDS = {"ban_an": "judgment", "quyet_dinh": "decision", "giay_chung_nhan": "certificate"}

MAPPING = """\
name = "tpa"

[record]
table = "doi_tuong"
key = "ma"
updated_at = "cap_nhat"

[[join]]
table = "van_ban"
key = "id"
on = "van_ban_id"
updated_at = "cap_nhat"

[fields]
doc_type = { column = "van_ban.loai", map = { ban_an = "judgment", quyet_dinh = "decision", giay_chung_nhan = "certificate" } }
decision_kind = "van_ban.loai_qd"
document_number = "van_ban.so_hieu"
trial_level = "van_ban.cap_xx"
issue_date = { column = "van_ban.ngay_ban_hanh", date_format = "%d/%m/%Y" }
issuer = "van_ban.co_quan"
effective_date = "van_ban.ngay_hieu_luc"
judgment_ref = "van_ban.ban_an_so"
duration_months = "van_ban.so_thang"
person_name = "doi_tuong.ho_ten"
birth_date = "doi_tuong.ngay_sinh"
personal_id = "doi_tuong.so_dinh_danh"
passport_number = "doi_tuong.ho_chieu"
charges = { column = "doi_tuong.toi_danh", split = ";" }
penal_code_articles = { column = "doi_tuong.dieu_luat", split = "," }
principal_penalty = { column = "doi_tuong.hinh_phat", map = { "tù có thời hạn" = "imprisonment", "án treo" = "suspended_imprisonment", "cải tạo không giam giữ" = "non_custodial_reform", "phạt tiền" = "fine", "tù chung thân" = "life_imprisonment", "tử hình" = "death", "trục xuất" = "expulsion" } }
penalty_months = { years = "doi_tuong.an_nam", months = "doi_tuong.an_thang" }
probation_months = "doi_tuong.thu_thach_thang"
fine_vnd = "doi_tuong.phat_tien"
"""


def schema(meta: MetaData | None = None, documents: str = "van_ban", persons: str = "doi_tuong") -> tuple[Table, Table]:
    meta = meta or MetaData()
    vb = Table(documents, meta, Column("id", Integer, primary_key=True), Column("loai", String(20)),
               Column("loai_qd", String(30)), Column("so_hieu", String(64)), Column("cap_xx", String(4)),
               Column("ngay_ban_hanh", String(10)), Column("co_quan", Text), Column("ngay_hieu_luc", Date),
               Column("ban_an_so", String(64)), Column("so_thang", Integer),
               Column("cap_nhat", DateTime(timezone=True), nullable=False))
    dt = Table(persons, meta, Column("ma", String(64), primary_key=True),
               Column("van_ban_id", Integer, ForeignKey(vb.c.id)), Column("ho_ten", Text),
               Column("ngay_sinh", String(10)), Column("so_dinh_danh", String(20)), Column("ho_chieu", String(20)),
               Column("toi_danh", Text), Column("dieu_luat", Text), Column("hinh_phat", Text),
               Column("an_nam", Integer), Column("an_thang", Integer), Column("thu_thach_thang", Integer),
               Column("phat_tien", BigInteger), Column("ghi_chu", Text), Column("cap_nhat", DateTime(timezone=True), nullable=False))
    return vb, dt


def _dmy(iso: str | None) -> str | None:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else None


def fill(url: str, records: list[dict[str, Any]], at: datetime | None = None) -> None:
    """The contract records as the foreign system keeps them (one van_ban row per document)."""
    at = at or datetime.now(timezone.utc)
    meta = MetaData()
    vb, dt = schema(meta)
    back_kind = {v: k for k, v in KIND_WORDS.items()}
    back_penalty = {v: k for k, v in PENALTY_WORDS.items()}
    engine = create_engine(url)
    meta.create_all(engine)
    docs: dict[tuple, int] = {}
    with engine.begin() as conn:
        for r in records:
            dkey = (r["doc_type"], r.get("document_number"), r.get("issue_date"), r.get("issuer"))
            if dkey not in docs:
                docs[dkey] = conn.execute(vb.insert().values(
                    loai=back_kind[r["doc_type"]], loai_qd=r.get("decision_kind"), so_hieu=r.get("document_number"),
                    cap_xx=r.get("trial_level"), ngay_ban_hanh=_dmy(r.get("issue_date")), co_quan=r.get("issuer"),
                    ngay_hieu_luc=date.fromisoformat(r["effective_date"]) if r.get("effective_date") else None,
                    ban_an_so=r.get("judgment_ref"), so_thang=r.get("duration_months"), cap_nhat=at)
                    .returning(vb.c.id)).scalar_one()
            months = r.get("penalty_months")
            conn.execute(dt.insert().values(
                ma=r["record_id"], van_ban_id=docs[dkey], ho_ten=r.get("person_name"), ngay_sinh=r.get("birth_date"),
                so_dinh_danh=r.get("personal_id"), ho_chieu=r.get("passport_number"),
                toi_danh=";".join(r["charges"]) if r.get("charges") else None,
                dieu_luat=",".join(r["penal_code_articles"]) if r.get("penal_code_articles") else None,
                hinh_phat=back_penalty.get(r.get("principal_penalty") or ""),
                an_nam=None if months is None else months // 12, an_thang=None if months is None else months % 12,
                thu_thach_thang=r.get("probation_months"), phat_tien=r.get("fine_vnd"), cap_nhat=at))
    engine.dispose()


def person_row(url: str, ma: str) -> dict[str, Any]:
    engine = create_engine(url)
    _, dt = schema()
    with engine.connect() as conn:
        row = conn.execute(select(dt).where(dt.c.ma == ma)).mappings().one()
    engine.dispose()
    return dict(row)


def change_person(url: str, ma: str, **values: Any) -> None:
    """What a clerk of the other system does: a change, and its updated-at."""
    engine = create_engine(url)
    _, dt = schema()
    with engine.begin() as conn:
        conn.execute(update(dt).where(dt.c.ma == ma).values(**values, cap_nhat=datetime.now(timezone.utc)))
    engine.dispose()


def write_mapping(path: Path, text: str = MAPPING) -> Path:
    path.write_text(text, "utf-8")
    return path


@contextmanager
def sqlite_catalogue(directory: Path) -> Iterator[Any]:
    """A fresh SQLite catalogue in directory, disposed of afterwards."""
    from sohoa.archive.catalogue import Catalogue

    cat = Catalogue(f"sqlite:///{directory / 'catalogue.sqlite3'}")
    try:
        yield cat
    finally:
        cat.dispose()


@contextmanager
def filled_source(pg_server: Any, records: list[dict[str, Any]]) -> Iterator[str]:
    """A fresh PostgreSQL database holding records in the foreign schema (its URL)."""
    from conftest import _fresh_pg_database

    with _fresh_pg_database(pg_server) as url:
        fill(url, records)
        yield url


def sync(catalogue: Any, url: str, mapping: Any, **kw: Any) -> Any:
    """`sync_registry` from the source at url, its engine disposed of afterwards."""
    from sohoa.reconciler.sync.pull import source_engine, sync_registry

    engine = source_engine(url)
    try:
        return sync_registry(catalogue, engine, mapping, "test", **kw)
    finally:
        engine.dispose()
