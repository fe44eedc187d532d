"""The local test PKI: root CA, intermediate CA, signer, TSA, OCSP responder, CRLs.

For tests and the demo only -- never for production (the keys sit unencrypted
on disk and the signer's PKCS#12 password is written next to it).

    pki = create_pki(home / "pki")          # keys + certomancer.yml + exports, once
    with serve_in_thread(pki) as url: ...   # TSA, OCSP, CRLs, cert repo on 127.0.0.1
    sohoa pki init | serve [--background] | stop | env

Built with certomancer (https://github.com/MatthiasValvekens/certomancer): the
architecture is declared as data in `data/test-pki.yml` (certomancer's YAML, as
pyHanko's tests declare theirs in testing-ca.yml), with the port and validity
dates relative to the creation time left as placeholders; `create_pki` fills
them in and writes the concrete `certomancer.yml` into the PKI directory.
Certificates, CRLs, OCSP responses and timestamps are issued from it on demand,
deterministically (fixed validity dates and serials), so the exported
certificates are exactly the ones the services use.

Layout of the directory:

| file | what |
|---|---|
| `keys/*.key.pem` | RSA-2048 keys, one per key of the declared keyset (root, interm, ocsp, signer, tsa, tsa2, tsa-g1, tsa-g2) |
| `certomancer.yml` | the architecture (URLs are baked into certificates: host:port fixed at init) |
| `pki.json` | port, architecture label, PKCS#12 password, creation time |
| `tsa-generation` | the rolling TSA's generation after a rollover (absent: 1) |
| `root.pem` | the trust root (`SOHOA_TRUST_ROOTS`) |
| `chain.pem` | intermediate + root |
| `signer.p12` | signer key + certificate + chain (`SOHOA_SIGN_PKCS12`) |
| `signer.key.pem`, `signer.cert.pem`, `interm.cert.pem` | for importing into a PKCS#11 token |
| `signer-old.p12` | a signer whose certificate expired in 2022 (tests) |
| `signer-revoked.p12` | a signer whose certificate is revoked (tests) |

Services (``http://127.0.0.1:<port>/sohoa-test/…``): ``tsa/tsa`` (TSA certificate
valid 10 years), ``tsa/tsa-short`` (TSA certificate expiring 20 days after
init: renewal tests), ``tsa/rolling`` (a TSA rollover: generation 1, whose
certificate expires 90 days after init, until ``python -m sohoa.corpus.pki
rollover DIR`` / ``TestPKI.rollover_tsa()``; generation 2, a new key with a
15-year certificate, after; ``env()`` signs with it), ``ocsp/interm``, ``crls/root/latest.crl``,
``crls/interm/latest.crl``, ``certs/root/ca.crt``, ``certs/interm/ca.crt``. A
request header ``X-Certomancer-Fake-Time`` (ISO 8601) makes the TSA/OCSP/CRL
answer as of that time (tests of signatures made in the past).
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

ARCH = "sohoa-test"
DEFAULT_PORT = 9771
P12_PASSWORD = "sohoa-test-pki"
FAKE_TIME_HEADER = "X-Certomancer-Fake-Time"
PIDFILE = "server.pid"
#: the TSA that rolls over: ``tsa/rolling`` signs with generation 1 (certificate
#: expiring 90 days after init) until `rollover_tsa`, then with generation 2
ROLLING = "rolling"
TSA_GENERATIONS = ("tsa-g1", "tsa-g2")
GENERATION_FILE = "tsa-generation"


@dataclass(frozen=True)
class TestPKI:
    dir: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def tsa_url(self, label: str = "tsa") -> str:
        return f"{self.base_url}/{ARCH}/tsa/{label}"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/{ARCH}/ocsp/interm"

    @property
    def root_pem(self) -> Path:
        return self.dir / "root.pem"

    @property
    def signer_p12(self) -> Path:
        return self.dir / "signer.p12"

    @property
    def password(self) -> str:
        return P12_PASSWORD

    @property
    def has_rollover(self) -> bool:
        """Whether this PKI declares the rolling TSA (one made before it was added does not)."""
        try:
            return f"{TSA_GENERATIONS[0]}:" in (self.dir / "certomancer.yml").read_text("utf-8")
        except OSError:
            return False

    def tsa_generation(self) -> str:
        """The certificate label the rolling TSA signs with now."""
        try:
            n = int((self.dir / GENERATION_FILE).read_text().strip())
        except (OSError, ValueError):
            n = 1
        return TSA_GENERATIONS[min(max(n, 1), len(TSA_GENERATIONS)) - 1]

    def rollover_tsa(self) -> str:
        """Roll the rolling TSA over to its next generation (new key and certificate, same
        URL), as a TSA does before its certificate expires; returns the new label."""
        n = TSA_GENERATIONS.index(self.tsa_generation()) + 2
        if n > len(TSA_GENERATIONS):
            raise ValueError(f"the rolling TSA is at its last generation ({TSA_GENERATIONS[-1]})")
        (self.dir / GENERATION_FILE).write_text(str(n))
        return TSA_GENERATIONS[n - 1]

    def env(self, level: str = "B-LTA") -> dict[str, str]:
        """The SOHOA_* settings that sign with this PKI (the rolling TSA, so what the demo
        signs comes due for renewal and renews after `rollover`)."""
        return {
            "SOHOA_SIGN_PKCS12": str(self.signer_p12),
            "SOHOA_SIGN_PKCS12_PASSWORD": P12_PASSWORD,
            "SOHOA_TSA_URL": self.tsa_url(ROLLING if self.has_rollover else "tsa"),
            "SOHOA_TRUST_ROOTS": str(self.root_pem),
            "SOHOA_SIGN_LEVEL": level,
        }

    def architecture(self):
        from certomancer.registry import ArchLabel, CertomancerConfig

        _install_key_cache()
        cfg = CertomancerConfig.from_file(str(self.dir / "certomancer.yml"),
                                          key_search_dir=str(self.dir))
        return cfg.get_pki_arch(ArchLabel(ARCH))


def _install_key_cache() -> None:
    """certomancer parses (and so re-validates) the RSA key for every signature it makes
    -- ~50 ms each, most of a TSA or OCSP answer. Keep the parsed keys instead."""
    from certomancer import crypto_utils

    if getattr(crypto_utils.CRYPTO_BACKEND, "_sohoa_cached", False):
        return
    base = crypto_utils.CRYPTO_BACKEND

    class _Cached(type(base)):  # type: ignore[misc]
        _sohoa_cached = True

        def __init__(self) -> None:
            self._keys: dict[bytes, rsa.RSAPrivateKey] = {}
            self._lock = threading.Lock()

        def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
            if sd_algo.signature_algo != "rsassa_pkcs1v15":
                return super().generic_sign(private_key, tbs_bytes, sd_algo)
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding, rsa

            der = private_key.dump()
            with self._lock:
                key = self._keys.get(der)
                if key is None:
                    loaded = serialization.load_der_private_key(der, password=None)
                    if not isinstance(loaded, rsa.RSAPrivateKey):
                        return super().generic_sign(private_key, tbs_bytes, sd_algo)
                    key = self._keys[der] = loaded
            return key.sign(tbs_bytes, padding.PKCS1v15(),
                            getattr(hashes, sd_algo.hash_algo.upper())())

    crypto_utils.CRYPTO_BACKEND = _Cached()


ARCH_FILE = Path(__file__).resolve().parent / "data" / "test-pki.yml"
_PLACEHOLDER = re.compile(r"\$\{(port|init)(?:([+-])(\d+)([dy]))?\}")


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _fill(value: Any, port: int, now: datetime) -> Any:
    """The declared value with ${port}, ${init}, ${init+Ny|d}, ${init-Ny|d} filled in."""
    if isinstance(value, dict):
        return {k: _fill(v, port, now) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, port, now) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        name, sign, n, unit = m.groups()
        if name == "port":
            return str(port)
        days = int(n or 0) * (365 if unit == "y" else 1)
        return _iso(now + timedelta(days=-days if sign == "-" else days))

    return _PLACEHOLDER.sub(one, value)


def declared() -> dict[str, Any]:
    """The architecture as declared in data/test-pki.yml (placeholders unfilled)."""
    import yaml

    data = yaml.safe_load(ARCH_FILE.read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("x-")}  # x-*: blocks used by alias


def _config(port: int, now: datetime) -> dict[str, Any]:
    """The certomancer configuration of a PKI made at `now`, served on `port`."""
    return dict(_fill(declared(), port, now))


def key_names() -> list[str]:
    """The keys the architecture's keyset declares (one RSA key file each)."""
    return list(declared()["keysets"]["sohoa"]["keys"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_pki(directory: Path) -> TestPKI:
    directory = Path(directory)
    try:
        info = json.loads((directory / "pki.json").read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no test PKI in {directory} (run: sohoa pki init)") from None
    return TestPKI(directory, int(info["port"]))


def create_pki(directory: Path, port: int | None = DEFAULT_PORT) -> TestPKI:
    """Make the PKI in directory unless it is there; port 0/None picks a free one."""
    import yaml
    from certomancer.registry import CertLabel
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    directory = Path(directory)
    if (directory / "pki.json").is_file():
        return load_pki(directory)
    port = port or _free_port()
    (directory / "keys").mkdir(parents=True, exist_ok=True, mode=0o700)
    for k in key_names():
        path = directory / "keys" / f"{k}.key.pem"
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
            path.chmod(0o600)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    (directory / "certomancer.yml").write_text(
        yaml.safe_dump(_config(port, now), allow_unicode=True, sort_keys=False), "utf-8")
    pki = TestPKI(directory, port)
    arch = pki.architecture()

    def pem(label: str) -> bytes:
        from asn1crypto import pem as apem
        return apem.armor("CERTIFICATE", arch.get_cert(CertLabel(label)).dump())

    pki.root_pem.write_bytes(pem("root"))
    (directory / "interm.cert.pem").write_bytes(pem("interm"))
    (directory / "chain.pem").write_bytes(pem("interm") + pem("root"))
    (directory / "signer.cert.pem").write_bytes(pem("signer"))
    (directory / "signer.key.pem").write_bytes((directory / "keys" / "signer.key.pem").read_bytes())
    (directory / "signer.key.pem").chmod(0o600)
    for label in ("signer", "signer-old", "signer-revoked"):
        from certomancer.registry import KeyLabel
        data = arch.package_pkcs12(CertLabel(label), key_label=KeyLabel("signer"),
                                   certs_to_embed=[CertLabel("interm"), CertLabel("root")],
                                   password=P12_PASSWORD.encode())
        (directory / f"{label}.p12").write_bytes(data)
        (directory / f"{label}.p12").chmod(0o600)
    (directory / "pki.json").write_text(json.dumps(
        {"port": port, "arch": ARCH, "p12_password": P12_PASSWORD, "created": now.isoformat(),
         "warning": "TEST PKI — NOT FOR PRODUCTION"}, indent=2), "utf-8")
    return pki


# --- the HTTP services ---------------------------------------------------------------------

def _handler(arch: Any, pki: TestPKI | None = None) -> type[BaseHTTPRequestHandler]:
    from asn1crypto import ocsp, tsp
    from certomancer.registry import CertLabel, ServiceLabel

    summoned: dict[str, Any] = {}  # TSA service objects answering at the current time

    def service(kind: str, label: str, at: datetime | None) -> Any:
        reg = arch.service_registry
        if kind == "tsa" and label == ROLLING and pki is not None:
            label = pki.tsa_generation()  # read per request: `rollover` may run meanwhile
        if kind == "ocsp":  # a responder answers as of one fixed time, which it needs: now
            return reg.summon_responder(ServiceLabel(label), at or datetime.now(timezone.utc))
        if at is not None:
            return reg.summon_timestamper(ServiceLabel(label), at)
        if label not in summoned:  # None: the TSA reads the clock for every token
            summoned[label] = reg.summon_timestamper(ServiceLabel(label), None)
        return summoned[label]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small answers, not 40 ms late

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet
            return

        def _time(self) -> datetime | None:
            raw = self.headers.get(FAKE_TIME_HEADER)
            if raw:
                return datetime.fromisoformat(raw)
            return getattr(self.server, "fake_time", None)  # tests: the whole PKI in the past

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _parts(self) -> list[str] | None:
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            return parts[1:] if len(parts) >= 3 and parts[0] == ARCH else None

        def do_POST(self) -> None:  # noqa: N802
            parts = self._parts()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                if parts and parts[0] == "tsa":
                    tsa = service("tsa", parts[1], self._time())
                    resp = tsa.request_tsa_response(tsp.TimeStampReq.load(body))
                    return self._send(200, resp.dump(), "application/timestamp-reply")
                if parts and parts[0] == "ocsp":
                    responder = service("ocsp", parts[1], self._time())
                    resp = responder.build_ocsp_response(ocsp.OCSPRequest.load(body))
                    return self._send(200, resp.dump(), "application/ocsp-response")
            except Exception as exc:  # a bad request must not kill the server
                return self._send(400, f"{type(exc).__name__}: {exc}".encode(), "text/plain")
            self._send(404, b"not found", "text/plain")

        def do_GET(self) -> None:  # noqa: N802
            parts = self._parts()
            try:
                if parts and parts[0] == "crls" and len(parts) == 3:
                    crl = arch.service_registry.get_crl(ServiceLabel(parts[1]), self._time())
                    return self._send(200, crl.dump(), "application/pkix-crl")
                if parts and parts[0] == "certs" and len(parts) >= 3:
                    label = parts[-1].split(".")[0]
                    if parts[2] == "issued":
                        cert = arch.service_registry.get_cert_from_repo(ServiceLabel(parts[1]),
                                                                        CertLabel(label))
                    else:
                        cert = arch.service_registry.get_cert_from_repo(ServiceLabel(parts[1]),
                                                                        None)
                    if cert is not None:
                        return self._send(200, cert.dump(), "application/pkix-cert")
                if parts == ["health"] or self.path == "/health":
                    return self._send(200, b"ok", "text/plain")
            except Exception as exc:
                return self._send(400, f"{type(exc).__name__}: {exc}".encode(), "text/plain")
            if self.path.rstrip("/") == "/health":
                return self._send(200, b"ok", "text/plain")
            self._send(404, b"not found", "text/plain")

    return Handler


def make_server(pki: TestPKI) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((pki.host, pki.port), _handler(pki.architecture(), pki))
    server.daemon_threads = True
    return server


@contextmanager
def serve_in_thread(pki: TestPKI) -> Iterator[ThreadingHTTPServer]:
    """Serve the PKI's services from a thread of this process (tests). Setting
    ``server.fake_time`` makes every service answer as of that time."""
    server = make_server(pki)
    server.fake_time = None  # type: ignore[attr-defined]
    t = threading.Thread(target=server.serve_forever, name="sohoa-test-pki", daemon=True)
    t.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_ready(pki: TestPKI, timeout: float = 15.0) -> bool:
    import urllib.request
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{pki.base_url}/health", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def start_background(pki: TestPKI) -> int:
    """Start the services in a detached process; its pid goes to <dir>/server.pid."""
    pidfile = pki.dir / PIDFILE
    pid = running_pid(pki)
    if pid:
        return pid
    log = open(pki.dir / "server.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "sohoa.corpus.pki", "serve", str(pki.dir)],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    pidfile.write_text(str(proc.pid))
    if not wait_ready(pki):
        proc.kill()
        pidfile.unlink(missing_ok=True)
        raise RuntimeError(f"test PKI server did not start on {pki.base_url} "
                           f"(see {pki.dir / 'server.log'})")
    return proc.pid


def running_pid(pki: TestPKI) -> int | None:
    try:
        pid = int((pki.dir / PIDFILE).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def stop_background(pki: TestPKI) -> bool:
    pid = running_pid(pki)
    (pki.dir / PIDFILE).unlink(missing_ok=True)
    if not pid:
        return False
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.05)
    return True


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "rollover":
        try:
            print(f"rolling TSA now signs with {load_pki(Path(argv[1])).rollover_tsa()}")
        except (FileNotFoundError, ValueError) as exc:
            print(f"rollover: {exc}", file=sys.stderr)
            return 1
        return 0
    if len(argv) == 2 and argv[0] == "serve":
        pki = load_pki(Path(argv[1]))
        server = make_server(pki)
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever()
        server.server_close()
        return 0
    print("usage: python -m sohoa.corpus.pki serve|rollover DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
