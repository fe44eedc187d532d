"""Deadline notifications, one pass (`sohoa notify`, the Celery beat entry deadline-notify).

An open review item due within `notify_due_soon_hours` is `due_soon`: its holder is told (the
verifier who took it), or, held by nobody, the unit's verifiers. An overdue one is `overdue` to
the same people and `escalated` to the head of unit (accounts flagged head_of_unit; none
flagged: the unit's approvers, as ui/notices.py has it) with an in-app notice too. By mail
(SMTP) and by a signed webhook.

Each (item, stage, channel, recipient) is a row of `notifications`, made once: nothing is sent
twice. A row is claimed (status sending) before its attempt; a server that is away leaves it
failed, tried again by the next pass, and stops that channel for the rest of this pass. Mails
to one person for one stage go out as one mail listing the items. Every send is audited.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Batch, Document, FieldValue, Notification, ReviewItem
from sohoa.core.config import Settings
from sohoa.core.runtime import CatalogueAccess
from sohoa.reconciler.deadlines import basis_for
from sohoa.ui.mailer import DeliveryError, SmtpConfig, SmtpSession, compose, one_line, valid_address
from sohoa.ui.models import ItemState, UiUser
from sohoa.ui.notices import notify_head
from sohoa.ui.webhook import WebhookConfig, post
from sqlalchemy import select, update
from sqlalchemy.orm import Session

log = logging.getLogger("sohoa.ui.deadline_alerts")

DUE_SOON, OVERDUE, ESCALATED = "due_soon", "overdue", "escalated"
EMAIL, WEBHOOK, NOTICE = "email", "webhook", "notice"
TRY = ("pending", "failed")
VN = timezone(timedelta(hours=7))
_CHUNK = 500

SUBJECTS = {DUE_SOON: "Sắp đến hạn xử lý", OVERDUE: "Quá hạn xử lý", ESCALATED: "Báo cáo lãnh đạo đơn vị: quá hạn"}
LEADS = {
    DUE_SOON: "Các mục kiểm tra sau sắp đến hạn xử lý:",
    OVERDUE: "Các mục kiểm tra sau đã QUÁ HẠN xử lý:",
    ESCALATED: "Các mục kiểm tra sau của đơn vị đã QUÁ HẠN xử lý và được báo cáo lãnh đạo đơn vị:",
}
KINDS = {"discrepancy": "Sai khác với cơ sở dữ liệu", "low_confidence": "Độ tin cậy thấp",
         "missing": "Thiếu trường bắt buộc", "unmatched": "Chưa khớp hồ sơ", "conflict": "Xung đột với quyết định"}
FIELDS = {"document_number": "Số văn bản", "issue_date": "Ngày ban hành", "issuer": "Cơ quan ban hành",
          "trial_level": "Cấp xét xử", "person_name": "Họ tên", "birth_date": "Ngày sinh",
          "personal_id": "Số định danh cá nhân", "passport_number": "Số hộ chiếu", "charges": "Tội danh",
          "penal_code_articles": "Điều luật BLHS", "principal_penalty": "Hình phạt chính",
          "penalty_months": "Thời hạn (tháng)", "probation_months": "Thời gian thử thách (tháng)",
          "fine_vnd": "Tiền phạt (đồng)", "decision_kind": "Loại quyết định", "doc_type": "Loại văn bản",
          "effective_date": "Ngày hiệu lực", "judgment_ref": "Bản án được thi hành"}


@dataclass
class PassReport:
    items: int = 0  # open items due soon or overdue
    planned: int = 0  # notifications newly due to be sent
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # left for the next pass: their server was away
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Entry:
    """What a notification says about one item."""

    item_id: int
    document_id: str
    source: str
    person: int
    kind: str
    field: str
    created_at: datetime
    due_at: datetime
    basis: str
    unit: str | None
    url: str


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def public_url(settings: Settings) -> str:
    return (settings.ui_public_url or f"http://{settings.ui_host}:{settings.ui_port}").rstrip("/")


@dataclass(frozen=True)
class Notifier:
    """What a pass needs: no store, no signer (the roof builds it from the settings)."""

    settings: Settings
    catalogue: CatalogueAccess
    actor: str = "notifier"


def run_pass(rt: Notifier, now: datetime | None = None) -> PassReport:
    """One pass: plan what is due, then deliver mail and webhooks. Never raises for a server that
    is away or refuses: those rows stay for the next pass (logged, counted in the report)."""
    now = now or utcnow()
    report = PassReport()
    smtp = SmtpConfig.from_settings(rt.settings)
    hook = WebhookConfig.from_settings(rt.settings)
    with rt.catalogue.session() as s:
        _plan(s, rt.settings, rt.actor, now, report, mail=smtp is not None, hook=hook)
    if smtp is not None:
        _deliver_mail(rt, smtp, now, report)
    if hook is not None:
        _deliver_webhooks(rt, hook, now, report)
    log.info("deadline notifications: %s", report.to_dict(), extra={"notify": report.to_dict()})
    return report


# --- planning -----------------------------------------------------------------------------------

def _plan(s: Session, settings: Settings, actor: str, now: datetime, report: PassReport, mail: bool,
          hook: WebhookConfig | None) -> None:
    soon = now + timedelta(hours=settings.notify_due_soon_hours)
    rows = s.execute(
        select(ReviewItem, Document, Batch.unit, ItemState.assigned_to)
        .join(Document, Document.document_id == ReviewItem.document_id)
        .outerjoin(Batch, Batch.batch_id == Document.batch_id)
        .outerjoin(ItemState, ItemState.review_item_id == ReviewItem.id)
        .where(ReviewItem.status == "open", ReviewItem.due_at <= soon)
        .order_by(ReviewItem.due_at, ReviewItem.id)).all()
    report.items = len(rows)
    if not rows:
        return
    accounts = list(s.scalars(select(UiUser).where(UiUser.active.is_(True)).order_by(UiUser.username)))
    existing = _existing(s, [item.id for item, *_ in rows])
    base = public_url(settings)
    for item, doc, unit, holder in rows:
        overdue = aware(item.due_at) <= now
        for stage in (OVERDUE, ESCALATED) if overdue else (DUE_SOON,):
            targets: list[tuple[str, str]] = []
            if mail:
                targets += [(EMAIL, a) for a in _addresses(stage, accounts, holder, unit)]
            if hook is not None:
                targets.append((WEBHOOK, hook.url[:320]))
            if stage == ESCALATED:
                targets.append((NOTICE, "head of unit"))
            for channel, recipient in targets:
                if (item.id, stage, channel, recipient) in existing:
                    continue
                row = Notification(review_item_id=item.id, stage=stage, channel=channel, recipient=recipient,
                                   status="pending", attempts=0, created_at=now)
                s.add(row)
                existing.add((item.id, stage, channel, recipient))
                report.planned += 1
                if channel == NOTICE:  # in the workbench at once: nothing to deliver
                    _notice(s, row, item, doc, actor, now, base)
                    report.sent += 1
    s.flush()


def _existing(s: Session, ids: list[int]) -> set[tuple[int, str, str, str]]:
    out: set[tuple[int, str, str, str]] = set()
    for i in range(0, len(ids), _CHUNK):
        out |= {tuple(r) for r in s.execute(  # type: ignore[misc]
            select(Notification.review_item_id, Notification.stage, Notification.channel, Notification.recipient)
            .where(Notification.review_item_id.in_(ids[i:i + _CHUNK])))}
    return out


def _unit_ok(account: UiUser, unit: str | None) -> bool:
    return not account.unit or unit is None or account.unit == unit


def _addresses(stage: str, accounts: list[UiUser], holder: str | None, unit: str | None) -> list[str]:
    """Who is told: the holder, else the unit's verifiers; an escalation goes to the unit's heads
    (accounts flagged head_of_unit), none flagged: its approvers."""
    usable = [a for a in accounts if valid_address(a.email) and _unit_ok(a, unit)]
    if stage == ESCALATED:
        chosen = [a for a in usable if a.head_of_unit] or [a for a in usable if a.role == "approver"]
    else:
        chosen = [a for a in usable if a.username == holder] if holder else []
        chosen = chosen or [a for a in usable if a.role == "verifier"]
    return sorted({str(a.email) for a in chosen})


def _notice(s: Session, row: Notification, item: ReviewItem, doc: Document, actor: str, now: datetime,
            base: str) -> None:
    text = (f"Quá hạn xử lý: {one_line(doc.source, 120)} — {FIELDS.get(item.field, item.field) or KINDS.get(item.kind)}"
            f" (hạn {aware(item.due_at).astimezone(VN):%d/%m/%Y %H:%M}) {base}/ui/items/{item.id}")
    notify_head(s, "deadline.overdue", f"item {item.id}", text, actor)
    row.status, row.attempts, row.last_attempt_at, row.sent_at = "sent", 1, now, now


# --- delivery -----------------------------------------------------------------------------------

def _due_rows(cat: CatalogueAccess, channel: str, base: str, now: datetime) -> list[tuple[Notification, Entry]]:
    """Rows of `channel` to try, with what they say; rows of items no longer open are dropped
    (status cancelled: nothing left to tell)."""
    with cat.session() as s:
        rows = s.execute(
            select(Notification, ReviewItem, Document, Batch.unit)
            .join(ReviewItem, ReviewItem.id == Notification.review_item_id)
            .join(Document, Document.document_id == ReviewItem.document_id)
            .outerjoin(Batch, Batch.batch_id == Document.batch_id)
            .where(Notification.channel == channel, Notification.status.in_(TRY))
            .order_by(Notification.id)).all()
        kinds = _decision_kinds(s, {d.document_id for _, _, d, _ in rows})
        out = []
        for note, item, doc, unit in rows:
            if item.status != "open":
                note.status, note.last_error = "cancelled", f"item {item.status} before it was sent"
                continue
            basis = basis_for(doc.doc_type, kinds.get(doc.document_id))
            out.append((note, Entry(item.id, doc.document_id, one_line(doc.source, 200), item.person, item.kind,
                                    item.field, aware(item.created_at), aware(item.due_at), basis.text, unit,
                                    f"{base}/ui/items/{item.id}")))
    return out


def _decision_kinds(s: Session, docs: set[str]) -> dict[str, str]:
    ids, out = sorted(docs), {}
    for i in range(0, len(ids), _CHUNK):
        out.update({d: str(v) for d, v in s.execute(
            select(FieldValue.document_id, FieldValue.value)
            .where(FieldValue.name == "decision_kind", FieldValue.document_id.in_(ids[i:i + _CHUNK])))})
    return out


def _claim(cat: CatalogueAccess, ids: Iterable[int], now: datetime) -> list[int]:
    """The rows this pass may send: still pending or failed (another pass may have taken them)."""
    got = []
    with cat.session() as s:
        for i in ids:
            res = s.execute(update(Notification).where(Notification.id == i, Notification.status.in_(TRY))
                            .values(status="sending", attempts=Notification.attempts + 1, last_attempt_at=now))
            if res.rowcount == 1:  # type: ignore[attr-defined]
                got.append(i)
    return got


def _finish(cat: CatalogueAccess, actor: str, ids: list[int], error: str | None, now: datetime,
            **detail: Any) -> None:
    with cat.session() as s:
        for note in s.scalars(select(Notification).where(Notification.id.in_(ids))):
            if error is None:
                note.status, note.sent_at, note.last_error = "sent", now, None
                audit(s, actor, f"notify.{note.channel}", f"review_item:{note.review_item_id}", stage=note.stage,
                      to=note.recipient, notification=note.id, **detail)
            else:
                note.status, note.last_error = "failed", error[:2000]
                if note.attempts == 1:  # the first failure is audited; later ones are logged only
                    audit(s, actor, f"notify.{note.channel}", f"review_item:{note.review_item_id}", outcome="failed",
                          stage=note.stage, to=note.recipient, notification=note.id, error=error[:500])


def _deliver_mail(rt: Notifier, cfg: SmtpConfig, now: datetime, report: PassReport) -> None:
    groups: dict[tuple[str, str], list[tuple[Notification, Entry]]] = defaultdict(list)
    for note, entry in _due_rows(rt.catalogue, EMAIL, public_url(rt.settings), now):
        groups[(note.recipient, note.stage)].append((note, entry))
    names = _names(rt.catalogue)
    session = SmtpSession(cfg)
    try:
        for n, ((to, stage), members) in enumerate(groups.items()):
            ids = _claim(rt.catalogue, [note.id for note, _ in members], now)
            if not ids:
                continue
            entries = [e for note, e in members if note.id in ids]
            msg = compose(cfg.sender, to, mail_subject(stage, entries), mail_body(stage, names.get(to), entries))
            try:
                session.send(msg)
            except DeliveryError as exc:
                _failed(rt, ids, exc, now, report, entries)
                if not exc.reachable:
                    report.waiting += sum(len(m) for _, m in list(groups.items())[n + 1:])
                    break
                continue
            except Exception as exc:  # noqa: BLE001  one bad message must not stop the pass
                _failed(rt, ids, DeliveryError(EMAIL, to, f"{type(exc).__name__}: {one_line(exc, 300)}"), now, report,
                        entries)
                continue
            _finish(rt.catalogue, rt.actor, ids, None, now, subject=str(msg["Subject"]))
            report.sent += len(ids)
    finally:
        session.close()


def _deliver_webhooks(rt: Notifier, cfg: WebhookConfig, now: datetime, report: PassReport) -> None:
    rows = _due_rows(rt.catalogue, WEBHOOK, public_url(rt.settings), now)
    for n, (note, entry) in enumerate(rows):
        if not _claim(rt.catalogue, [note.id], now):
            continue
        try:
            status = post(cfg, webhook_event(note.stage, entry, now), f"notification-{note.id}")
        except DeliveryError as exc:
            _failed(rt, [note.id], exc, now, report, [entry])
            if not exc.reachable:
                report.waiting += len(rows) - n - 1
                break
            continue
        except Exception as exc:  # noqa: BLE001
            _failed(rt, [note.id], DeliveryError(WEBHOOK, cfg.url, f"{type(exc).__name__}: {one_line(exc, 300)}"),
                    now, report, [entry])
            continue
        _finish(rt.catalogue, rt.actor, [note.id], None, now, http_status=status)
        report.sent += 1


def _failed(rt: Notifier, ids: list[int], exc: DeliveryError, now: datetime, report: PassReport,
            entries: list[Entry]) -> None:
    log.warning("notification not delivered, tried again next pass: %s", exc,
                extra={"document": sorted({e.document_id for e in entries}),
                       "notify": {"channel": exc.channel, "to": exc.target, "rows": ids,
                                  "items": [e.item_id for e in entries]}})
    _finish(rt.catalogue, rt.actor, ids, exc.reason, now)
    report.failed += len(ids)
    report.errors.append(str(exc))


def _names(cat: CatalogueAccess) -> dict[str, str]:
    with cat.session() as s:
        return {str(u.email): u.full_name or u.username for u in s.scalars(select(UiUser).where(UiUser.email.is_not(None)))}


# --- what is said -------------------------------------------------------------------------------

def _where(e: Entry) -> str:
    return FIELDS.get(e.field, e.field) if e.field else KINDS.get(e.kind, e.kind)


def mail_subject(stage: str, entries: list[Entry]) -> str:
    if len(entries) == 1:
        e = entries[0]
        return f"[sohoa] {SUBJECTS[stage]}: {e.source} — {_where(e)}"
    return f"[sohoa] {SUBJECTS[stage]}: {len(entries)} mục kiểm tra"


def mail_body(stage: str, name: str | None, entries: list[Entry]) -> str:
    lines = [f"Kính gửi {one_line(name, 100) if name else 'đồng chí'},", "", LEADS[stage], ""]
    for n, e in enumerate(entries, 1):
        lines += [
            f"{n}. Tài liệu: {e.source} (mã {e.document_id}), người thứ {e.person + 1}",
            f"   Trường: {_where(e)}" + (f" ({e.field})" if e.field else "") + f" — {KINDS.get(e.kind, e.kind)}",
            f"   Tiếp nhận: {e.created_at.astimezone(VN):%d/%m/%Y %H:%M}; hạn xử lý: "
            f"{e.due_at.astimezone(VN):%d/%m/%Y %H:%M} (giờ Việt Nam), thời hạn {e.basis}",
            f"   Mở mục kiểm tra: {e.url}",
            "",
        ]
    lines += ["-- ", "sohoa: thư tự động, xin không trả lời thư này."]
    return "\n".join(lines) + "\n"


def webhook_event(stage: str, e: Entry, now: datetime) -> dict[str, Any]:
    return {"event": f"review_item.{stage}", "stage": stage, "sent_at": now.isoformat(),
            "item": {"id": e.item_id, "document_id": e.document_id, "source": e.source, "person": e.person,
                     "kind": e.kind, "field": e.field, "created_at": e.created_at.isoformat(),
                     "due_at": e.due_at.isoformat(), "legal_basis": e.basis, "unit": e.unit, "url": e.url}}
