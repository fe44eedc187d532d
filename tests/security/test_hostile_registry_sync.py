"""Hostile mappings and sources for `sohoa registry sync` (reconciler/sync/): identifiers carrying
quotes and semicolons reach SQL only quoted by SQLAlchemy, and only when the reflected schema
has them; a column that is not there, a URL to nowhere, a row the import would refuse: a clear
error, and nothing stored changes."""
from __future__ import annotations

import pytest
from conftest import run_sohoa
from foreign_registry import MAPPING, fill, filled_source, sqlite_catalogue, sync, write_mapping
from sohoa.archive.catalogue import Catalogue
from sohoa.archive.models import RegistryRecord, RegistrySource
from sohoa.reconciler.sync.mapping import MappingError, parse_mapping
from sohoa.reconciler.sync.outbox import enqueue, push
from sohoa.reconciler.sync.pull import SourceError
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, inspect, select

ONE = [{"record_id": "R1", "doc_type": "judgment", "document_number": "1/2024/HS-ST", "issue_date": "2024-01-02",
        "issuer": "Tòa án nhân dân quận Ba Đình", "person_name": "Lê Văn Cường", "penalty_months": 14}]


@pytest.fixture
def catalogue(tmp_path):
    with sqlite_catalogue(tmp_path) as cat:
        yield cat


@pytest.fixture(scope="module")
def unchanged_source(pg_server):
    """One source for the tests that must leave it as it is."""
    with filled_source(pg_server, ONE) as url:
        yield url


@pytest.fixture(scope="module")
def empty_catalogue(tmp_path_factory):
    with sqlite_catalogue(tmp_path_factory.mktemp("cat")) as cat:
        yield cat


def _count(cat, model) -> int:
    with cat.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("old, new, message", [
    ('table = "doi_tuong"', 'table = "doi_tuong\\"; DROP TABLE van_ban; --"', "no table named"),
    ('"doi_tuong.ho_ten"', '"doi_tuong.ho_ten\\" FROM van_ban; DROP TABLE van_ban; --"', "has no column"),
    ('key = "id"', "key = \"id' OR '1'='1\"", "has no column"),
    ('on = "van_ban_id"', 'on = "van_ban_id = van_ban.id OR 1=1 --"', "has no column"),
    ('[record]', '[record]\nschema = "public; DROP SCHEMA public CASCADE"', "no schema named"),
])
def test_injected_identifiers_are_names_that_do_not_exist(empty_catalogue, unchanged_source, tmp_path, old, new,
                                                           message):
    catalogue, pg_database_url = empty_catalogue, unchanged_source
    assert old in MAPPING
    mapping = parse_mapping(write_mapping(tmp_path / "m.toml", MAPPING.replace(old, new, 1)))
    with pytest.raises(MappingError) as exc:
        sync(catalogue, pg_database_url, mapping)
    assert message in str(exc.value)
    engine = create_engine(pg_database_url)
    assert {"van_ban", "doi_tuong"} <= set(inspect(engine).get_table_names())  # nothing was dropped
    engine.dispose()
    assert _count(catalogue, RegistryRecord) == 0 and _count(catalogue, RegistrySource) == 0


def test_real_names_with_quotes_and_semicolons_are_quoted(catalogue, pg_database_url, tmp_path):
    """A schema whose names are themselves hostile still reads, and pushes, exactly."""
    table, name_col, key_col = 'bi "cao"; --', "ho'ten;", 'ma"'
    meta = MetaData()
    t = Table(table, meta, Column(key_col, String(20), primary_key=True), Column(name_col, String(100)),
              Column("so", String(40)), Column("thang", Integer))
    engine = create_engine(pg_database_url)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert().values({key_col: "X1", name_col: "Phạm Thị Dung", "so": "9/2024/HS-ST", "thang": 7}))
    engine.dispose()
    text = f'''name = "odd"
[record]
table = {toml(table)}
key = {toml(key_col)}
[fields]
doc_type = {{ value = "judgment" }}
person_name = {toml(table + "." + name_col)}
document_number = {toml(table + ".so")}
penalty_months = {toml(table + ".thang")}
'''
    r = sync(catalogue, pg_database_url, parse_mapping(write_mapping(tmp_path / "odd.toml", text)))
    assert r.added == 1
    with catalogue.session() as s:
        data = s.get(RegistryRecord, "X1").data
    assert data["person_name"] == "Phạm Thị Dung" and data["penalty_months"] == 7
    with catalogue.session() as s:
        enqueue(s, "X1", "penalty_months", 9, key="test:1", reason="test", decided_by="anh", document_id=None)
    engine = create_engine(pg_database_url)
    try:
        assert push(catalogue, engine, parse_mapping(tmp_path / "odd.toml"), "test").done == 1
        with engine.connect() as conn:
            assert conn.execute(select(t.c.thang).where(t.c[key_col] == "X1")).scalar_one() == 9
    finally:
        engine.dispose()


def toml(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("key, fault", [("R1'; DROP TABLE van_ban; --", "record_id"), ("<script>x</script>", "record_id")])
def test_a_row_the_import_would_refuse_refuses_the_sync(catalogue, pg_database_url, tmp_path, key, fault):
    fill(pg_database_url, ONE + [{**ONE[0], "record_id": key}])
    mapping = parse_mapping(write_mapping(tmp_path / "m.toml"))
    with pytest.raises(SourceError) as exc:
        sync(catalogue, pg_database_url, mapping)
    assert fault in str(exc.value) and "nothing stored" in str(exc.value)
    assert _count(catalogue, RegistryRecord) == 0 and _count(catalogue, RegistrySource) == 0


@pytest.mark.parametrize("old, new, message", [
    ('name = "tpa"', 'name = "tpa; DROP"', "'name' must be"),
    ('date_format = "%d/%m/%Y"', 'date_format = "%d\'); DROP TABLE x; --"', "not a strftime date format"),
    ('key = "ma"', 'key = "ma"\nrecord_id_prefix = "R\'; --"', "record_id_prefix"),
    ('split = ";"', 'split = ";;;;;;;;"', "at most 4 characters"),
    ('[fields]', '[fields]\nrecord_id = "doi_tuong.ma"', "not contract fields"),
])
def test_hostile_mapping_values_are_refused_before_any_connection(tmp_path, old, new, message):
    assert old in MAPPING
    with pytest.raises(MappingError) as exc:
        parse_mapping(write_mapping(tmp_path / "m.toml", MAPPING.replace(old, new, 1)))
    assert message in str(exc.value)


def test_cli_an_unreachable_source_is_one_clear_line_without_its_password(tmp_path):
    home = tmp_path / "home"
    mapping = write_mapping(tmp_path / "m.toml")
    for url, said in (("postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:9/registry", "unreachable"),
                      ("not a url at all", "not a usable database URL")):
        proc = run_sohoa(home, "registry", "sync", "--source", url, "--mapping", str(mapping), check=False)
        assert proc.returncode == 2, proc.stderr
        assert said in proc.stderr and "s3cret-pw" not in proc.stderr + proc.stdout
        assert len(proc.stderr.strip().splitlines()) == 1
    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")
    try:
        assert _count(cat, RegistryRecord) == 0 and _count(cat, RegistrySource) == 0
    finally:
        cat.dispose()
