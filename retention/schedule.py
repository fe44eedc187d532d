"""Periodic jobs on Celery beat: the integrity check (monthly), backups (daily
incremental, weekly full, monthly full), restore drills (monthly) and the
renewal of the S3 object-lock retention (monthly, retention/objectlock.py).

The jobs below take a runtime; the composition root (sohoa.worker) registers
them as Celery tasks next to the pipeline's and installs the beat schedule::

    celery -A sohoa.worker worker -B          # one host: worker + embedded beat
    celery -A sohoa.worker beat               # or a separate beat process (one only!)

Each schedule is a cron line "minute hour day-of-month month day-of-week" (UTC)
in settings (``SOHOA_INTEGRITY_SCHEDULE``, ``SOHOA_BACKUP_INCREMENTAL_SCHEDULE``,
``SOHOA_BACKUP_WEEKLY_SCHEDULE``, ``SOHOA_BACKUP_MONTHLY_SCHEDULE``,
``SOHOA_RESTORE_DRILL_SCHEDULE``, ``SOHOA_RETENTION_EXTEND_SCHEDULE``); empty turns
that job off. Backups and drills
need ``SOHOA_BACKUP_TARGET``. A failed job logs an error and runs
``SOHOA_ALERT_COMMAND <report path>``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from sohoa.core.config import Settings
from sohoa.core.errors import SohoaError
from sohoa.core.runtime import Runtime

log = logging.getLogger("sohoa.retention.schedule")


def cron(line: str) -> crontab:
    """crontab from "minute hour day-of-month month day-of-week"."""
    parts = line.split()
    if len(parts) != 5:
        raise ValueError(f"schedule {line!r}: want 5 fields (minute hour day-of-month month day-of-week)")
    m, h, dom, mon, dow = parts
    return crontab(minute=m, hour=h, day_of_month=dom, month_of_year=mon, day_of_week=dow)


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entries the settings ask for."""
    entries: dict[str, dict[str, Any]] = {}

    def add(name: str, line: str, task: str, kwargs: dict[str, Any] | None = None) -> None:
        if line and line.strip():
            entries[name] = {"task": task, "schedule": cron(line), "kwargs": kwargs or {},
                             "options": {"expires": 12 * 3600}}

    add("integrity-check", settings.integrity_schedule, "retention.integrity_check")
    add("backup-daily-incremental", settings.backup_incremental_schedule, "retention.backup",
        {"kind": "incremental", "schedule": "daily"})
    add("backup-weekly-full", settings.backup_weekly_schedule, "retention.backup",
        {"kind": "full", "schedule": "weekly"})
    add("backup-monthly-full", settings.backup_monthly_schedule, "retention.backup",
        {"kind": "full", "schedule": "monthly"})
    add("restore-drill", settings.restore_drill_schedule, "retention.restore_drill")
    add("retention-extend", settings.retention_extend_schedule, "retention.extend")
    add("audit-checkpoint", settings.audit_checkpoint_schedule, "retention.audit_checkpoint")
    return entries


def integrity_check_job(rt: Runtime) -> dict[str, Any]:
    from sohoa.retention.integrity import check_integrity

    report = check_integrity(rt)  # logs and alerts itself on findings
    return {"ok": report.ok, "findings": len(report.findings), "report": report.report_path}


def backup_job(rt: Runtime, kind: str = "incremental", schedule: str = "manual",
               target: str | None = None) -> dict[str, Any]:
    from sohoa.retention.backup import backup
    from sohoa.retention.integrity import run_alert, write_json_and_text

    try:
        result = backup(rt, kind, target, schedule=schedule)
    except SohoaError as exc:
        log.error("%s backup (%s) could not run: %s", kind, schedule, exc)
        path = Path(rt.settings.home) / "reports" / f"backup-failed-{kind}-{schedule}.json"
        write_json_and_text(path, {"kind": kind, "schedule": schedule, "error": str(exc)}, str(exc))
        run_alert(rt.settings, str(path), "backup failed")
        raise
    if not result.ok:
        path = Path(rt.settings.home) / "reports" / f"backup-{result.run_id}.json"
        write_json_and_text(path, result.to_dict(), result.to_text())
        run_alert(rt.settings, str(path), "backup had problems")
    return {"ok": result.ok, "run_id": result.run_id, "objects": result.objects}


def retention_extend_job(rt: Runtime, within_days: int | None = None) -> dict[str, Any]:
    from sohoa.retention.objectlock import extend_retention

    report = extend_retention(rt, within_days=within_days)  # logs and alerts itself on failures
    return {"ok": report.ok, "counts": report.counts(), "report": report.report_path}


def restore_drill_job(rt: Runtime, target: str | None = None) -> dict[str, Any]:
    from sohoa.retention.backup import restore_drill

    report = restore_drill(rt, target)  # logs and alerts itself on failure
    return {"ok": report.ok, "seconds": report.seconds, "report": report.report_path}
