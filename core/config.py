"""Configuration, in one place.

Read from environment variables (SOHOA_*) over an optional TOML file
($SOHOA_CONFIG, else $SOHOA_HOME/sohoa.toml) over defaults. The embedded
default needs nothing: SQLite and a local write-once store under
$SOHOA_HOME (default ./sohoa-data), a DEMO signing key made on first use.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sohoa.core.errors import ConfigError


class StoreKind(StrEnum):
    LOCAL = "local"  # write-once files under $SOHOA_HOME/objects (embedded default)
    S3 = "s3"  # any S3 server with object lock (MinIO, Ceph RGW, a cloud store)


class SignLevel(StrEnum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"  # + signature timestamp
    B_LT = "B-LT"  # + validation data (DSS)
    B_LTA = "B-LTA"  # + document timestamp


SIGN_LEVELS = tuple(level.value for level in SignLevel)
NEEDS_TSA = (SignLevel.B_T, SignLevel.B_LT, SignLevel.B_LTA)


@dataclass(frozen=True)
class Settings:
    home: Path = Path("sohoa-data")
    db_url: str = ""  # default: sqlite under home
    store: str = StoreKind.LOCAL  # a StoreKind
    bucket_prefix: str = "sohoa"
    # Conversion marker: who converts (seed 001 Art. 10.4).
    unit: str = "Đơn vị số hóa (DEMO)"
    organ_code: str = "DEMO"  # organisation code for archival FileCode (Decree 30/2020 App. VI)
    operator: str = "unknown"
    # Signing: PKCS#12 file; empty means the DEMO key under home.
    sign_pkcs12: str = ""
    sign_pkcs12_password: str = ""
    sign_location: str = "Việt Nam"
    # Or a PKCS#11 token (HSM, USB token, SoftHSM2): module path, token label, key label
    # (the certificate has the same label unless sign_pkcs11_cert_label says otherwise), PIN
    # (or a file holding it). Set, it wins over sign_pkcs12.
    sign_pkcs11_module: str = ""
    sign_pkcs11_token_label: str = ""
    sign_pkcs11_key_label: str = ""
    sign_pkcs11_cert_label: str = ""
    sign_pkcs11_pin: str = ""
    sign_pkcs11_pin_file: str = ""
    # PAdES level: "B-B" | "B-T" | "B-LT" | "B-LTA"; empty: B-LTA when a TSA is
    # configured (tsa_url, as with the local test PKI and in production), else B-B.
    sign_level: str = ""
    tsa_url: str = ""  # RFC 3161 timestamping authority (B-T and up; document timestamps)
    trust_roots: str = ""  # PEM files (comma-separated) of the trust anchors for signing/verifying
    # The retention job re-timestamps documents whose newest timestamp's TSA
    # certificate expires within this many days.
    timestamp_renewal_days: int = 365
    # OCR
    ocr_lang: str = "vie"
    ocr_dpi: int = 300
    ocr_jobs: int = 0  # 0: all cores
    # "auto": Tesseract in the worker process (tesserocr) when it imports, else a subprocess per
    # call; "api" or "subprocess" to insist (pipeline/ocr/engine.py)
    ocr_engine: str = "auto"
    # Page images (pipeline/ocr/storage_policy.py; README "Storage per page"): a JPEG scan at or
    # below the ceiling passes through; above it, or lossless, it is re-encoded at the lowest
    # quality from the floor up whose SSIM against the scan (luma, ~150 dpi) stays >= storage_ssim_min
    storage_jpeg_ceiling: int = 75
    storage_ssim_min: float = 0.95
    storage_jpeg_floor: int = 50
    # Extraction/reconciliation
    review_threshold: float = 0.9
    # the linked registry record may confirm a read below the threshold (reconciler/confirm.py);
    # false: a strict unit, every read below it goes to a person whatever the registry says
    registry_confirms: bool = True
    # Intake limits (bad input must fail fast, not exhaust the machine)
    max_file_bytes: int = 512 * 1024 * 1024
    max_pages: int = 500
    max_page_pixels: int = 20000 * 20000  # ~ A0 at 600 dpi
    max_pdf_objects: int = 200_000  # an object-stream bomb is refused before any parsing work
    # A PDF image stream may inflate to its declared pixels' bytes and at most this (A3 colour
    # at 600 dpi is 208 MiB); a 2 MB file holding a 2 GiB Flate stream is refused by name,
    # counted in chunks, never decoded whole.
    max_stream_bytes: int = 256 * 1024 * 1024
    # Any other PDF stream (page content, fonts) may inflate to at most this.
    max_content_bytes: int = 32 * 1024 * 1024
    # Every PDF parse runs in a child process with this much address space and wall time.
    parse_memory_bytes: int = 1024 * 1024 * 1024
    parse_timeout: float = 120.0
    # Celery: empty broker means tasks run in-process (embedded default).
    broker_url: str = ""
    # Redis redelivers an unacknowledged task (its worker died) after this many seconds;
    # a task still running then runs twice, which idempotent stages allow.
    broker_visibility_timeout: int = 300
    result_backend: str = ""  # default: the catalogue database (db+URL), needed for chords
    # A stage that meets a transient fault (store, database or broker briefly away) is
    # retried with exponential backoff (1, 2, 4 ... s), each wait at most this long.
    retry_max_delay: float = 60.0
    # `process` with workers: when no document of the batch has moved for this many
    # seconds, the unfinished documents are submitted again (a restarted broker without
    # persistence lost their messages; the stages are idempotent). 0: never.
    resubmit_after: int = 600
    # S3 object-lock store (store = "s3"): any S3 server with object lock
    # (Ceph RGW, MinIO, AWS). Endpoint is host:port, no scheme.
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    # COMPLIANCE retain-until = now + retention_years (capped at 2105-12-31),
    # plus a legal hold on every object when legal_hold is on.
    retention_years: int = 80
    legal_hold: bool = True
    # `sohoa retention extend` (retention/objectlock.py, on beat retention_extend_schedule)
    # renews a version's retain-until to now + retention_years when it would lapse
    # within this many days, and puts a missing legal hold back.
    retention_extend_within_days: int = 3650
    retention_extend_schedule: str = "0 5 2 * *"  # monthly, the 2nd at 05:00
    # Optional replication copy: every put is also written to this endpoint
    # (same credentials), into bucket + s3_backup_bucket_suffix.
    s3_backup_endpoint: str = ""
    s3_backup_bucket_suffix: str = ""
    # Integrity checks and backups (retention/integrity.py, retention/backup.py,
    # schedules in retention/schedule.py). Schedules are cron lines
    # "minute hour day-of-month month day-of-week" (UTC); empty turns one off.
    integrity_schedule: str = "0 3 1 * *"  # monthly, the 1st at 03:00
    # a sealed checkpoint of the audit log's head (retention/checkpoints.py); also after each batch
    audit_checkpoint_schedule: str = "*/30 * * * *"  # every half hour (nothing written when the log is still)
    # `sohoa registry sync/push` on beat (reconciler/sync/): the source's SQLAlchemy URL (SOHOA_REGISTRY_SOURCE_URL,
    # holds a password: keep it in the environment) and the mapping file; empty: off
    registry_source_url: str = ""
    registry_mapping: str = ""
    registry_push_schedule: str = "*/10 * * * *"  # push approved corrections (retries fall due on their own time)
    registry_sync_schedule: str = ""  # e.g. "15 * * * *": incremental sync (then push); empty: by hand only
    alert_command: str = ""  # run with the report path when a check, backup or drill fails
    backup_target: str = ""  # a directory (second disk) or s3://[HOST:PORT/]BUCKET[/PREFIX]
    backup_incremental_schedule: str = "30 1 * * *"  # daily
    backup_weekly_schedule: str = "30 2 * * 0"  # weekly full, Sunday
    backup_monthly_schedule: str = "30 4 1 * *"  # monthly full, the 1st
    restore_drill_schedule: str = "0 6 15 * *"  # monthly restore drill, the 15th
    # An incremental also takes objects catalogued this long before the previous run
    # started (transactions still open then), skipping those already backed up.
    backup_overlap_seconds: int = 3600
    # S3 backup targets: endpoint and credentials (empty: those of the archive store);
    # each backup object is COMPLIANCE-locked this many days (0: no lock).
    backup_s3_endpoint: str = ""
    backup_s3_access_key: str = ""
    backup_s3_secret_key: str = ""
    backup_s3_secure: bool = False
    backup_retention_days: int = 400
    pg_bin_dir: str = ""  # pg_dump/pg_restore matching the server; empty: found automatically
    # Service API (sohoa serve) and verifier workbench (sohoa ui)
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    api_presign_seconds: int = 300  # lifetime of a presigned URL to an original (S3 store)
    ui_host: str = "127.0.0.1"
    ui_port: int = 8090
    # Behind TLS: cookies marked Secure and Strict-Transport-Security sent (sohoa serve/ui --secure-cookies).
    secure_cookies: bool = False
    hsts_seconds: int = 31536000  # the HSTS max-age when secure_cookies
    # Logins (ui/login.py): an account locks after this many failures in a row (for
    # login_lock_minutes; 0: until an admin unlocks it); an address that failed
    # login_address_failures times within login_window_minutes is refused without a password check.
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_address_failures: int = 20
    login_window_minutes: int = 15
    # The API: an address refused (401) more than this many times a minute gets 429 for the
    # rest of the minute, one aggregate audit event instead of one per request (api/throttle.py).
    api_unauthenticated_per_minute: int = 30
    # Two-person rule: no approval between accounts one of which created or reset the other this recently.
    approval_account_days: int = 30
    # Deadlines in working time (core/worktime.py, reconciler/deadlines.py): office hours (Vietnam's
    # civil-service day), time zone, and a TOML file of extra days_off / working_days (the government's
    # yearly swaps the holidays package does not know yet).
    office_hours: str = "08:00-12:00,13:00-17:00"
    work_timezone: str = "Asia/Ho_Chi_Minh"
    work_calendar_file: str = ""
    # Deadline notifications (`sohoa notify`, ui/deadline_alerts.py): due within notify_due_soon_hours,
    # overdue, escalated to the head of unit. Mail over SMTP (smtp_security: starttls | ssl | none;
    # SOHOA_SMTP_PASSWORD from the environment), a signed webhook (HMAC-SHA256 with webhook_secret).
    notify_schedule: str = "*/5 * * * *"  # the Celery beat entry deadline-notify; empty: off
    notify_due_soon_hours: float = 4.0
    smtp_host: str = ""  # empty: no mail
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 10.0
    mail_from: str = "sohoa@localhost"
    webhook_url: str = ""  # empty: no webhook
    webhook_secret: str = ""
    webhook_timeout: float = 5.0
    webhook_retries: int = 3  # tries per pass, backoff 0.5, 1, 2 ... s; then the next pass
    ui_public_url: str = ""  # the workbench as people reach it (links in mails); empty: http://ui_host:ui_port
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{(self.home / 'catalogue.sqlite3').resolve()}"

    @property
    def jobs(self) -> int:
        return self.ocr_jobs or (os.cpu_count() or 1)

    @property
    def store_root(self) -> Path:
        return self.home / "objects"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def pki_dir(self) -> Path:
        """Where `sohoa pki init` makes the local test PKI."""
        return self.home / "pki"

    @property
    def timestamp_url(self) -> str:
        return self.tsa_url or str((self.extra or {}).get("sign_tsa_url") or "")

    @property
    def signature_level(self) -> str:
        return self.sign_level or (SignLevel.B_LTA if self.timestamp_url else SignLevel.B_B)

    @property
    def trust_root_paths(self) -> list[Path]:
        return [Path(p.strip()) for p in self.trust_roots.split(",") if p.strip()]


_ENV_PREFIX = "SOHOA_"


def _coerce(name: str, raw: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, dict):
            return dict(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: cannot use {raw!r} ({exc})") from None


def load_settings(env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    env = dict(os.environ if env is None else env)
    base = Settings()
    home = Path(env.get("SOHOA_HOME", str(base.home)))
    values: dict[str, Any] = {}
    cfg_path = Path(env["SOHOA_CONFIG"]) if env.get("SOHOA_CONFIG") else home / "sohoa.toml"
    if cfg_path.is_file():
        try:
            values.update(tomllib.loads(cfg_path.read_text("utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {cfg_path}: {exc}") from None
    for f in fields(Settings):
        key = _ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name: f for f in fields(Settings)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    coerced = {k: _coerce(k, v, getattr(base, k)) for k, v in values.items()}
    settings = replace(base, **coerced)
    if not 0 <= settings.review_threshold <= 1:
        raise ConfigError("review_threshold must be within [0, 1]")
    if not 1 <= settings.storage_jpeg_floor <= settings.storage_jpeg_ceiling <= 100:
        raise ConfigError("storage_jpeg_floor and storage_jpeg_ceiling must satisfy 1 <= floor <= ceiling <= 100, not "
                          f"{settings.storage_jpeg_floor} and {settings.storage_jpeg_ceiling}")
    if not 0 <= settings.storage_ssim_min <= 1:
        raise ConfigError(f"storage_ssim_min must be within [0, 1], not {settings.storage_ssim_min}")
    if settings.sign_level and settings.sign_level not in SIGN_LEVELS:
        raise ConfigError(f"sign_level must be one of {', '.join(SIGN_LEVELS)} (or empty), "
                          f"not {settings.sign_level!r}")
    if settings.sign_level in NEEDS_TSA and not settings.timestamp_url:
        raise ConfigError(f"sign_level {settings.sign_level} needs a timestamping authority "
                          "(SOHOA_TSA_URL)")
    return settings
