"""Hostile verification records (issue 16, item 1): `sohoa verify RECORD.json` says NOT VALID,
with the reason, for an edited record, the signature of another record, a record signed with a
key nobody trusts, a truncated or missing signature, a huge file, something that is no record;
and a validly signed record whose original is not the one given. Real CMS signatures made with
DEMO keys; the command run as a user runs it (click's runner over sohoa.cli.main)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sohoa.core.config import Settings
from sohoa.pipeline.sign import load_signer
from sohoa.pipeline.sign.record import FORMAT, RECORD_TYPE, record_bytes, verify_record
from sohoa.pipeline.sign.seal import seal
from test_sign_pki import pki, pki_server, pki_settings  # noqa: F401  (fixtures: the test PKI, served)

from sohoa.cli import main

ORIGINAL = b"%PDF-1.7 the signed original\n"


def _content(n: int = 1, state: str = "corrected") -> dict:
    return {"type": RECORD_TYPE, "format": FORMAT, "document_id": "D" + "ab" * 12, "n": n,
            "verification_state": state, "original": {"sha256": hashlib.sha256(ORIGINAL).hexdigest()},
            "persons": [{"ordinal": 0, "values": {"penalty_months": {"value": 24, "decision": "as_read"}}}]}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Our home (its DEMO key is trusted there) and a stranger's key."""
    ours = Settings(home=tmp_path_factory.mktemp("ours"), unit="Sở Tư pháp")
    theirs = Settings(home=tmp_path_factory.mktemp("theirs"), unit="Sở Tư pháp")
    signer, stranger = load_signer(ours), load_signer(theirs)
    yield ours, signer, stranger
    signer.close()
    stranger.close()


def _write(d: Path, data: bytes, sig: bytes | None, name: str = "1") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.json").write_bytes(data)
    if sig is not None:
        (d / f"{name}.p7s").write_bytes(sig)
    return d / f"{name}.json"


def _verify(settings: Settings, path: Path, *extra: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["verify", str(path), "--no-catalogue", *extra],
                           env={"SOHOA_HOME": str(settings.home)})
    return r.exit_code, r.output


def test_a_genuine_record_is_valid_and_its_original_checked(keys, tmp_path):
    settings, signer, _ = keys
    data = record_bytes(_content())
    path = _write(tmp_path, data, seal(signer, data))
    (tmp_path / "orig.pdf").write_bytes(ORIGINAL)
    code, out = _verify(settings, path, "--original", str(tmp_path / "orig.pdf"))
    assert code == 0 and "VALID" in out and "NOT VALID" not in out and "original given hashes" in out
    (tmp_path / "other.pdf").write_bytes(ORIGINAL + b"%% appended\n")
    code, out = _verify(settings, path, "--original", str(tmp_path / "other.pdf"))
    assert code == 1 and "NOT VALID" in out and "the original given hashes to" in out


@pytest.mark.parametrize("case", ["edited", "other_record", "wrong_key", "truncated", "missing", "garbage_sig"])
def test_hostile_records_are_not_valid(keys, tmp_path, case):
    settings, signer, stranger = keys
    data = record_bytes(_content())
    sig = seal(signer, data)
    reason = {"edited": "altered", "other_record": "altered", "wrong_key": "does not chain",
              "truncated": "unreadable signature", "missing": "no signature", "garbage_sig": "unreadable signature"}
    if case == "edited":  # the state claimed changed after signing
        data = data.replace(b'"corrected"', b'"verified"')
    elif case == "other_record":  # a genuine signature, of record 2
        other = record_bytes(_content(2))
        sig = seal(signer, other)
    elif case == "wrong_key":
        sig = seal(stranger, data)
    elif case == "truncated":
        sig = sig[: len(sig) // 2]
    elif case == "missing":
        sig = None
    elif case == "garbage_sig":
        sig = b"\x30\x82\xff\xff" + b"\x00" * 64
    code, out = _verify(settings, _write(tmp_path, data, sig))
    assert code == 1, out
    assert "NOT VALID" in out and reason[case] in out, out


def test_a_huge_record_or_signature_is_refused_by_its_size(keys, tmp_path):
    settings, signer, _ = keys
    data = record_bytes(_content())
    huge = data[:-2] + b', "pad": "' + b"x" * (2 << 20) + b'"}\n'
    code, out = _verify(settings, _write(tmp_path / "a", huge, seal(signer, data)))
    assert code == 1 and "over the" in out and "a record may be" in out
    code, out = _verify(settings, _write(tmp_path / "b", data, b"\x30" * (1 << 20)))
    assert code == 1 and "a record's signature may be" in out


def test_something_that_is_no_record(keys, tmp_path):
    settings, signer, _ = keys
    for body in (b'{"type": "something else"}', b"\xff\xfe not json", b"[1, 2, 3]"):
        rep = verify_record(settings, body, seal(signer, body))
        assert not rep.valid and "not a verification record" in rep.problems[0]


def test_a_production_key_and_a_tsa_timestamp_the_record(pki, pki_server, tmp_path):  # noqa: F811
    """With a PKCS#12 key and a TSA (the test PKI), the seal carries a signature timestamp,
    checked against the configured roots; an edit still breaks it."""
    settings = pki_settings(pki, tmp_path / "home", "B-T")
    signer = load_signer(settings)
    try:
        data = record_bytes(_content())
        sig = seal(signer, data)
    finally:
        signer.close()
    rep = verify_record(settings, data, sig)
    assert rep.valid, rep.problems
    assert rep.timestamp is not None and not rep.demo and rep.signer
    assert any("timestamp valid" in c for c in rep.checks)
    bad = verify_record(settings, data.replace(b'"corrected"', b'"verified"'), sig)
    assert not bad.valid and "altered" in bad.problems[0]
