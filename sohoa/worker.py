"""The Celery app: the pipeline's stage tasks, the retention jobs and the beat
schedule, configured from the settings. Workers and the scheduler start with

    celery -A sohoa.worker worker [-B]

and the CLI's in-process runs use the same app (eager without a broker).
"""
from __future__ import annotations

from typing import Any

from celery import Celery

from sohoa.core.config import Settings, load_settings
from sohoa.core.runtime import Runtime
from sohoa.pipeline import tasks as pipeline_tasks
from sohoa.retention import schedule as retention
from sohoa.runtime import build_runtime


def make_app(settings: Settings) -> Celery:
    app = Celery("sohoa", set_as_current=True)
    pipeline_tasks.configure(app, settings)
    app.conf.beat_schedule = retention.beat_schedule(settings)
    app.conf.timezone = "UTC"
    pipeline_tasks.use_runtime_factory(lambda: build_runtime(load_settings(), need_signer=True, actor="worker"))

    def job_runtime() -> Runtime:
        return build_runtime(load_settings(), need_signer=False, actor="scheduler")

    def integrity_check_task() -> dict[str, Any]:
        rt = job_runtime()
        try:
            return retention.integrity_check_job(rt)
        finally:
            rt.catalogue.dispose()

    def backup_task(kind: str = "incremental", schedule: str = "manual",
                    target: str | None = None) -> dict[str, Any]:
        rt = job_runtime()
        try:
            return retention.backup_job(rt, kind, schedule, target)
        finally:
            rt.catalogue.dispose()

    def restore_drill_task(target: str | None = None) -> dict[str, Any]:
        rt = job_runtime()
        try:
            return retention.restore_drill_job(rt, target)
        finally:
            rt.catalogue.dispose()

    def extend_task(within_days: int | None = None) -> dict[str, Any]:
        rt = job_runtime()
        try:
            return retention.retention_extend_job(rt, within_days)
        finally:
            rt.catalogue.dispose()

    def audit_checkpoint_task() -> dict[str, Any]:
        from sohoa.retention.checkpoints import checkpoint_job

        rt = job_runtime()
        try:
            return checkpoint_job(rt)
        finally:
            rt.catalogue.dispose()

    def registry_push_task() -> dict[str, Any]:
        """Approved corrections to the source database (reconciler/sync/): due outbox rows only."""
        from sohoa.reconciler.sync.jobs import registry_job

        rt = job_runtime()
        try:
            return registry_job(rt, sync=False)
        finally:
            rt.catalogue.dispose()

    def registry_sync_task() -> dict[str, Any]:
        from sohoa.reconciler.sync.jobs import registry_job

        rt = job_runtime()
        try:
            return registry_job(rt, sync=True)
        finally:
            rt.catalogue.dispose()

    for task in (registry_push_task, registry_sync_task):
        app.task(name=f"registry.{task.__name__.removeprefix('registry_').removesuffix('_task')}", shared=False)(task)
    app.conf.beat_schedule.update(registry_beat(settings))
    def deadline_notify_task() -> dict[str, Any]:
        """Deadline notifications, one pass (ui/deadline_alerts.py; `sohoa notify`)."""
        from sohoa.cli_notify import notify_pass

        return notify_pass(load_settings(), "scheduler")

    app.task(name="notify.deadlines", shared=False)(deadline_notify_task)
    if settings.notify_schedule.strip():
        app.conf.beat_schedule["deadline-notify"] = {"task": "notify.deadlines", "kwargs": {}, "options": {"expires": 600},
                                                    "schedule": retention.cron(settings.notify_schedule)}
    for job in (integrity_check_task, backup_task, restore_drill_task, extend_task, audit_checkpoint_task):
        # shared=False: a second app in the process (the CLI's) must not inherit this one's closures
        app.task(name=f"retention.{job.__name__.removesuffix('_task')}", acks_late=True, shared=False)(job)
    app.set_default()
    return app


def registry_beat(settings: Settings) -> dict[str, dict[str, Any]]:
    """Push (and, when asked, sync) on beat when a source is configured."""
    if not (settings.registry_source_url and settings.registry_mapping):
        return {}
    entries = {}
    for name, line in (("registry-push", settings.registry_push_schedule),
                       ("registry-sync", settings.registry_sync_schedule)):
        if line and line.strip():
            entries[name] = {"task": name.replace("-", "."), "schedule": retention.cron(line), "kwargs": {},
                             "options": {"expires": 3600}}
    return entries


_TASKS = {"integrity_check_task": "retention.integrity_check", "backup_task": "retention.backup",
          "restore_drill_task": "retention.restore_drill", "extend_task": "retention.extend",
          "audit_checkpoint_task": "retention.audit_checkpoint"}
_made: dict[str, Celery] = {}


def __getattr__(name: str) -> Any:
    """`app` (what `celery -A sohoa.worker` looks up) and the retention tasks, made from
    the environment's settings on first use: importing this module builds nothing."""
    if name == "app" or name in _TASKS:
        if "app" not in _made:
            _made["app"] = make_app(load_settings())
        made = _made["app"]
        return made if name == "app" else made.tasks[_TASKS[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
