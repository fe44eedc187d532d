"""Jinja2 templates and static files, kept in Python so the package needs no data files."""
from __future__ import annotations

from sohoa.ui.review_templates import REVIEW_TEMPLATES
from sohoa.ui.splits import SPLIT_TEMPLATES
from sohoa.ui.verification_view import VERIFIED_TEMPLATES

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f3;font-size:15px}
header{background:#7a1f1f;color:#fff;padding:8px 16px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;font-weight:bold}
header .who{margin-left:auto;font-size:13px}
header small.en{color:#fdd}
header small.brand{color:#f3d}
header a.plain{font-weight:normal}
form.inline{display:inline}
button.primary small.on-primary{color:#dde}
header form{display:inline}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:3px;cursor:pointer}
main{padding:14px 18px;max-width:1400px}
h1{font-size:21px;margin:6px 0 12px}
h2{font-size:17px;margin:18px 0 8px}
small,.en{color:#666;font-size:12px;font-weight:normal}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #ccc;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#ece9e2;font-size:13px}
tr.overdue td{background:#fde2e2}
tr.overdue td.left{color:#b00000;font-weight:bold}
.badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;background:#ddd}
.badge.red{background:#b00000;color:#fff}.badge.amber{background:#e8a400}.badge.green{background:#2e7d32;color:#fff}
.badge.blue{background:#1f4e7a;color:#fff}
.flash{padding:8px 12px;margin-bottom:12px;border-radius:3px;background:#e3f1e3;border:1px solid #2e7d32}
.error{padding:8px 12px;margin-bottom:12px;border-radius:3px;background:#fde2e2;border:1px solid #b00000}
.cols{display:flex;gap:20px;flex-wrap:wrap}
.cols>div{flex:1 1 480px}
.crop{border:2px solid #7a1f1f;background:#fff;max-width:100%;image-rendering:auto}
.fullpage{border:1px solid #999;max-width:100%}
.values td:first-child{width:38%;color:#444}
.big{font-size:19px;font-weight:bold}
form.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:end;margin-bottom:10px}
form.filters label{display:flex;flex-direction:column;font-size:13px}
fieldset{border:1px solid #bbb;background:#fff;margin:0 0 12px;padding:8px 12px}
legend{font-weight:bold}
input[type=text],input[type=password],textarea,select{font:inherit;padding:3px 5px;border:1px solid #999;border-radius:2px}
textarea{width:100%;box-sizing:border-box}
input.wide{width:100%;box-sizing:border-box}
button,.button{font:inherit;padding:4px 12px;border:1px solid #555;border-radius:3px;background:#fff;cursor:pointer;
 color:#1b1b1b;text-decoration:none;display:inline-block}
button.primary{background:#1f4e7a;color:#fff;border-color:#1f4e7a}
button.danger{background:#b00000;color:#fff;border-color:#b00000}
button[disabled]{opacity:.45;cursor:not-allowed}
kbd{color:#1b1b1b;border:1px solid #999;border-bottom-width:2px;border-radius:3px;padding:0 4px;font-size:12px;background:#fafafa}
.login{max-width:380px;margin:60px auto;background:#fff;padding:20px 26px;border:1px solid #ccc}
.login label{display:block;margin:10px 0}
.login input{width:100%;box-sizing:border-box}
.muted{color:#777}
pre{white-space:pre-wrap;margin:0;font-size:12px}
table.persons th.current,table.persons td.current{background:#fff4d6}
tr.flagged td{background:#fde2e2}
.flag{color:#b00000;font-weight:bold}
"""

JS = """
// Keyboard shortcuts of the item page: a accept, k keep, c correct (focus the value),
// e escalate (focus the comment), t take, n next item. Not while typing in a field.
document.addEventListener('keydown', function (ev) {
  var tag = (ev.target.tagName || '').toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || ev.ctrlKey || ev.metaKey || ev.altKey) {
    if (ev.key === 'Escape') { ev.target.blur(); }
    return;
  }
  var map = {a: 'btn-accept', k: 'btn-keep', t: 'btn-take'};
  var focus = {c: 'value', e: 'comment', r: 'reason'};
  if (map[ev.key]) {
    var b = document.getElementById(map[ev.key]);
    if (b && !b.disabled) { ev.preventDefault(); b.click(); }
  } else if (focus[ev.key]) {
    var f = document.getElementById(focus[ev.key]);
    if (f) { ev.preventDefault(); f.focus(); }
  } else if (ev.key === 'n') {
    var n = document.getElementById('next-item');
    if (n) { ev.preventDefault(); window.location = n.href; }
  }
});
"""

BASE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{% block title %}{% endblock %} — Bàn kiểm tra sohoa</title>
<link rel="stylesheet" href="/ui/static/app.css"><script src="/ui/static/app.js" defer></script></head>
<body>
{% if user %}
<header>
  <span>Bàn kiểm tra <small class="brand">verifier workbench</small></span>
  {% if user.can('view') %}<a href="/ui/queue">Hàng đợi <small class="en">queue</small></a>
  <a href="/ui/approvals">Phê duyệt <small class="en">approvals</small>{% if pending_count %} <span class="badge amber">{{ pending_count }}</span>{% endif %}</a>
  {% if user.can('approve') %}<a href="/ui/escalations" id="nav-escalations">Cấp trên <small class="en">escalations</small>{% if escalated_count %} <span class="badge amber">{{ escalated_count }}</span>{% endif %}</a>{% endif %}
  <a href="/ui/records">Hồ sơ CSDL <small class="en">records</small></a>{% endif %}
  <a href="/ui/batches">Lô quét <small class="en">batches</small></a>
  {% if user.can('view') %}<a href="/ui/stats" id="nav-stats">Số liệu <small class="en">figures</small></a>{% endif %}
  {% if user.can('approve') %}<a href="/ui/notices" id="nav-notices">Thông báo <small class="en">notices</small>{% if notice_count %} <span class="badge amber" id="notice-count">{{ notice_count }}</span>{% endif %}</a>{% endif %}
  {% if user.can('admin') %}<a href="/ui/users">Người dùng <small class="en">users</small></a>{% endif %}
  <span class="who" id="who">{{ user.username }} · <span id="role">{{ user.role }}</span> · <a href="/ui/password" class="plain">mật khẩu</a>
    <form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{ user.csrf }}">
    <button type="submit" id="logout">Đăng xuất</button></form></span>
</header>
{% endif %}
<main>
{% if flash %}<div class="flash" id="flash">{{ flash }}</div>{% endif %}
{% if error %}<div class="error" id="error">{{ error }}</div>{% endif %}
{% block body %}{% endblock %}
</main></body></html>
"""

LOGIN = """{% extends "base.html" %}{% block title %}Đăng nhập{% endblock %}{% block body %}
<form class="login" method="post" action="/ui/login">
  <h1>Đăng nhập <small>Sign in</small></h1>
  <input type="hidden" name="csrf" value="{{ login_csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <label>Tên đăng nhập <small>username</small><input type="text" name="username" id="username" autocomplete="username" autofocus required></label>
  <label>Mật khẩu <small>password</small><input type="password" name="password" id="password" autocomplete="current-password" required></label>
  <button class="primary" type="submit" id="login">Đăng nhập</button>
</form>{% endblock %}
"""

QUEUE = """{% extends "base.html" %}{% block title %}Hàng đợi{% endblock %}{% block body %}
<h1>Hàng đợi kiểm tra <small>verification queue — <span id="open-count">{{ total }}</span> open, {{ overdue }} overdue; deadline 24 h from receipt, 1 working day for judicial-record data (seed 001 Art. 8.5, 002 Art. 7.1)</small></h1>
<p><b>Theo trường <small>by field</small></b> · <a href="/ui/review" id="by-document">Theo văn bản <small>by document</small></a></p>
<form class="filters" method="get" action="/ui/queue">
 <label>Lô <small>batch</small><select name="batch"><option value="">—</option>{% for b in options.batch %}<option {% if f.batch==b %}selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
 <label>Loại văn bản <small>document kind</small><select name="doc_type"><option value="">—</option>{% for b in options.doc_type %}<option {% if f.doc_type==b %}selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
 <label>Trường <small>field</small><select name="field"><option value="">—</option>{% for b in options.field %}<option {% if f.field==b %}selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
 <label>Tòa án / cơ quan <small>court</small><select name="court"><option value="">—</option>{% for b in options.court %}<option {% if f.court==b %}selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
 <label>Vấn đề <small>kind</small><select name="kind"><option value="">—</option>{% for b in ['discrepancy','low_confidence','missing','unmatched','conflict','split'] %}<option {% if f.kind==b %}selected{% endif %}>{{ b }}</option>{% endfor %}</select></label>
 <label>Giao cho <small>assigned</small><select name="who"><option value="">—</option><option value="me" {% if f.who=='me' %}selected{% endif %}>tôi / me</option><option value="none" {% if f.who=='none' %}selected{% endif %}>chưa giao / nobody</option></select></label>
 <label>Hạn <small>deadline</small><select name="overdue"><option value="">—</option><option value="1" {% if f.overdue=='1' %}selected{% endif %}>quá hạn / overdue</option><option value="0" {% if f.overdue=='0' %}selected{% endif %}>còn hạn / in time</option></select></label>
 <label>Cấp trên <small>escalated</small><select name="escalated"><option value="">—</option><option value="1" {% if f.escalated=='1' %}selected{% endif %}>đã chuyển / escalated</option><option value="0" {% if f.escalated=='0' %}selected{% endif %}>chưa / not escalated</option></select></label>
 <button type="submit" id="filter">Lọc <small>filter</small></button> <a class="button" href="/ui/queue">Bỏ lọc</a>
</form>
<table id="queue"><thead><tr><th>#</th><th>Vấn đề <small>kind</small></th><th>Trường <small>field</small></th><th>Người <small>person</small></th><th>Tài liệu <small>document</small></th><th>Loại</th><th>Tòa án / cơ quan <small>court</small></th><th>Tin cậy</th><th>Nhận lúc <small>received</small></th><th>Tuổi <small>age</small></th><th>Còn lại <small>time left</small></th><th>Người xử lý <small>assigned</small></th><th>Trạng thái</th></tr></thead><tbody>
{% for r in rows %}<tr class="{% if r.overdue %}overdue{% endif %}" data-item="{{ r.id }}">
 <td><a href="/ui/items/{{ r.id }}">{{ r.id }}</a></td><td>{{ r.kind_label }}</td><td>{{ r.field or '—' }}</td><td class="person" data-person="{{ r.person }}">{{ r.person_label }}</td>
 <td><a href="/ui/items/{{ r.id }}">{{ r.source }}</a><br><small>{{ r.batch }}</small></td><td>{{ r.doc_type or '—' }}</td><td>{{ r.court or '—' }}</td>
 <td>{{ r.confidence }}</td><td>{{ r.received }}</td><td>{{ r.age }}</td>
 <td class="left">{% if r.overdue %}<span class="badge red">QUÁ HẠN overdue</span> {{ r.left }}{% else %}{{ r.left }}{% endif %}</td>
 <td>{{ r.assigned or '—' }}</td>
 <td>{% if r.pending %}<span class="badge amber">chờ duyệt</span>{% endif %}{% if r.rejected %}<span class="badge red">bị từ chối</span>{% endif %}{% if r.escalated %}<span class="badge blue">cấp trên</span>{% endif %}</td></tr>
{% else %}<tr><td colspan="13" class="muted" id="queue-empty">Không có mục nào — the queue is empty</td></tr>{% endfor %}
</tbody></table>
{% if total > rows|length %}<p class="muted">Hiện {{ rows|length }} / {{ total }} mục đầu tiên — the first {{ rows|length }} of {{ total }}; narrow the filters</p>{% endif %}
<p><small>Phím tắt trên trang mục <kbd>t</kbd> nhận · <kbd>a</kbd> chấp nhận · <kbd>k</kbd> giữ CSDL · <kbd>c</kbd> sửa · <kbd>e</kbd> cấp trên · <kbd>n</kbd> mục tiếp theo</small></p>
{% endblock %}
"""

ITEM = """{% extends "base.html" %}{% block title %}Mục {{ item.id }}{% endblock %}{% block body %}
<h1 id="item-head" data-kind="{{ item.kind }}" data-field="{{ item.field or '' }}" data-person="{{ item.person }}">Mục #{{ item.id }} · {{ kind_label }} {% if item.field %}· <code>{{ item.field }}</code>{% endif %}
 · <span id="item-person">{{ person_label }}</span>
 <small><a href="/ui/documents/{{ doc.document_id }}" id="doc-link"><span id="doc-source">{{ doc.source }}</span></a> · {{ doc.doc_type or '?' }} · lô {{ doc.batch_id }}</small></h1>
<p>Nhận <small>received</small> {{ received }} · hạn <small>due</small> {{ due }} ·
 {% if overdue %}<span class="badge red" id="overdue">QUÁ HẠN overdue {{ left }}</span>{% else %}<span class="badge green">còn {{ left }}</span>{% endif %}
 · trạng thái <small>status</small> <b id="item-status">{{ item.status }}</b>
 {% if item.resolution %}<br><small>{{ item.resolution }}</small>{% endif %}</p>
{% if state and state.escalated_at %}<div class="error" id="escalated">Đã chuyển cấp trên bởi {{ state.escalated_by }} <small>escalated</small>: {{ state.escalation_comment }}</div>
{% elif state and state.returned_at %}<div class="flash" id="returned">Lãnh đạo {{ state.returned_by }} trả lại <small>sent back</small>: {{ state.return_comment }}{% if state.escalation_comment %} <small>(chuyển lên vì: {{ state.escalation_comment }})</small>{% endif %}</div>{% endif %}
{% for c in rejected %}<div class="error" id="rejected-{{ c.id }}">Đề nghị #{{ c.id }} bị {{ c.approver }} từ chối <small>rejected</small>: {{ c.decision_comment }}</div>{% endfor %}
{% if pending %}<div class="flash" id="pending">Đề nghị #{{ pending.id }} ({{ pending.field }} → {{ show(pending.new_value) }}) của {{ pending.author }} đang chờ phê duyệt <small>awaits approval</small></div>{% endif %}
<div class="cols"><div>
 {% if has_crop %}<h2>Vùng trên trang {{ fv.page }} <small>the field on the signed page</small></h2>
 <img class="crop" id="crop" src="/ui/items/{{ item.id }}/crop.png" alt="crop of {{ item.field }}" width="{{ crop_width }}">
 {% endif %}
 <p><a href="/ui/documents/{{ doc.document_id }}/signed.pdf" target="_blank" id="signed-link">Mở văn bản đã ký (PDF) <small>open the signed document</small></a>
 {% if page_no %} · <a href="/ui/documents/{{ doc.document_id }}/pages/{{ page_no }}.png" target="_blank">Cả trang {{ page_no }} <small>whole page</small></a>{% endif %}</p>
 {% if not has_crop and page_no %}<img class="fullpage" src="/ui/documents/{{ doc.document_id }}/pages/{{ page_no }}.png" alt="page {{ page_no }}" width="520">{% endif %}
 {% if people|length > 1 %}{% set current = item.person %}{% include "persons_table.html" %}
 <p><a href="/ui/documents/{{ doc.document_id }}?item={{ item.id }}" id="fix-persons">Thiếu người / nhầm lẫn giữa hai người? <small>a person missing or two mixed up: on the document page</small></a></p>{% endif %}
</div><div>
 <table class="values" id="values">
 {% if item.kind != 'unmatched' %}
  {% if item.kind == 'conflict' %}<tr><td colspan="2" id="conflict-note"><small>Giá trị đã được quyết định khác với nguồn dữ liệu — a decided value and what the source database now holds: accept keeps the decision (and sends it to the source again), keep proposes the source's value (approved by a second person)</small></td></tr>{% endif %}
  <tr><td>Giá trị trên văn bản <small>document value</small></td><td class="big" id="doc-value">{{ show(item.document_value) }}</td></tr>
  <tr><td>Độ tin cậy <small>confidence</small></td><td id="confidence">{{ conf }}{% if low %} <span class="badge amber">dưới ngưỡng {{ threshold }}</span>{% endif %}</td></tr>
  <tr><td>Giá trị trong CSDL <small>registry value</small></td><td class="big" id="reg-value">{{ show(registry_value) }}</td></tr>
  <tr><td>Hồ sơ CSDL <small>record</small></td><td>{% if item.record_id %}<a href="/ui/records/{{ item.record_id }}">{{ item.record_id }}</a>{% else %}—{% endif %}</td></tr>
 {% else %}
  <tr><th colspan="3">Các trường trích xuất <small>extracted fields — the document's and {{ person_label }}</small></th></tr>
  {% for f in doc_fields %}<tr><td>{{ f.name }}</td><td>{{ show(f.value) }} <small>{{ '%.2f'|format(f.confidence) }}</small></td></tr>{% endfor %}
 {% endif %}
 </table>
 {% if item.status == 'open' and user.can('verify') %}
  <p>Người xử lý <small>assigned</small>: <b id="assigned">{{ state.assigned_to if state and state.assigned_to else '—' }}</b>
  {% set escalated_lock = state and state.escalated_at and not user.can('approve') %}
  {% if (not state or not state.assigned_to) and not escalated_lock %}<form method="post" action="/ui/items/{{ item.id }}/take" class="inline"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="btn-take">Nhận <small>take</small> <kbd>t</kbd></button></form>
  {% elif state.assigned_to == user.username %}<form method="post" action="/ui/items/{{ item.id }}/release" class="inline"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="btn-release">Trả lại <small>release</small></button></form>{% endif %}</p>
  {% set locked = (state and state.assigned_to and state.assigned_to != user.username) or pending or escalated_lock %}
  {% if state and state.escalated_at and user.can('approve') %}
  <form method="post" action="/ui/items/{{ item.id }}/send-back"><input type="hidden" name="csrf" value="{{ user.csrf }}">
   <fieldset><legend>Trả lại người kiểm tra <small>send back to {{ state.escalated_by }}</small></legend>
   <input type="text" class="wide" name="comment" id="send-back-comment" placeholder="hướng dẫn / guidance">
   <button id="btn-send-back">Trả lại <small>send back</small></button></fieldset></form>{% endif %}
  {% if item.kind != 'unmatched' %}
  <form method="post" action="/ui/items/{{ item.id }}/act" id="act-form"><input type="hidden" name="csrf" value="{{ user.csrf }}">
   <fieldset><legend>Xử lý <small>resolve</small></legend>
   <p><button name="action" value="accept" id="btn-accept" class="primary" {% if locked %}disabled{% endif %}>Chấp nhận giá trị văn bản <small class="on-primary">accept document</small> <kbd>a</kbd></button>
   <button name="action" value="keep" id="btn-keep" {% if locked or not item.record_id %}disabled{% endif %}>Giữ giá trị CSDL <small>keep database</small> <kbd>k</kbd></button></p>
   <label>Giá trị đúng <small>corrected value</small> <kbd>c</kbd><input type="text" class="wide" name="value" id="value" value="" placeholder="{{ hint }}"></label>
   <label>Căn cứ pháp lý / lý do <small>legal basis / reason (required for a correction)</small><textarea name="reason" id="reason" rows="2"></textarea></label>
   <p><button name="action" value="correct" id="btn-correct" {% if locked %}disabled{% endif %}>Sửa <small>correct</small></button></p>
   <label>Ghi chú <small>comment (required to escalate)</small> <kbd>e</kbd><input type="text" class="wide" name="comment" id="comment"></label>
   <p><button name="action" value="escalate" id="btn-escalate" {% if locked or (state and state.escalated_at) %}disabled{% endif %}>Chuyển cấp trên <small>escalate</small></button></p>
   </fieldset></form>
  {% else %}
  <form method="post" action="/ui/items/{{ item.id }}/link"><input type="hidden" name="csrf" value="{{ user.csrf }}">
   <fieldset><legend>Liên kết với hồ sơ có sẵn <small>link to an existing record</small></legend>
   <label>Mã hồ sơ <small>record id</small> <input type="text" name="record_id" id="link-record" list="records"></label>
   <datalist id="records">{% for r in candidates %}<option value="{{ r.record_id }}">{{ r.document_number }} {{ r.personal_id }}</option>{% endfor %}</datalist>
   <label>Căn cứ / lý do <small>reason</small><textarea name="reason" id="link-reason" rows="2"></textarea></label>
   <button id="btn-link" {% if locked %}disabled{% endif %}>Đề nghị liên kết <small>propose link</small></button></fieldset></form>
  <form method="post" action="/ui/items/{{ item.id }}/create"><input type="hidden" name="csrf" value="{{ user.csrf }}">
   <fieldset><legend>Tạo hồ sơ mới <small>create a new record from the document's values</small></legend>
   <label>Mã hồ sơ mới <small>new record id</small> <input type="text" name="record_id" id="new-record-id"></label>
   <textarea name="record" id="new-record" rows="10">{{ new_record }}</textarea>
   <label>Căn cứ / lý do <small>reason</small><textarea name="reason" id="create-reason" rows="2"></textarea></label>
   <button id="btn-create" {% if locked %}disabled{% endif %}>Đề nghị tạo <small>propose</small></button></fieldset></form>
  <form method="post" action="/ui/items/{{ item.id }}/act"><input type="hidden" name="csrf" value="{{ user.csrf }}">
   <fieldset><legend>Chuyển cấp trên <small>escalate</small></legend>
   <input type="text" class="wide" name="comment" id="comment"><button name="action" value="escalate" id="btn-escalate" {% if locked or (state and state.escalated_at) %}disabled{% endif %}>Chuyển <small>escalate</small></button></fieldset></form>
  {% endif %}
 {% endif %}
 {% if others %}<h2>Các mục khác của văn bản <small>other open items of this document</small></h2><ul>
 {% for o in others %}<li><a href="/ui/items/{{ o.id }}" {% if loop.first %}id="next-item"{% endif %}>#{{ o.id }} {{ o.kind }} {{ o.field }}</a> <small>Người {{ o.person + 1 }}</small></li>{% endfor %}</ul>{% endif %}
</div></div>
{% endblock %}
"""

APPROVALS = """{% extends "base.html" %}{% block title %}Phê duyệt{% endblock %}{% block body %}
<h1>Đề nghị sửa chờ phê duyệt <small>corrections awaiting approval — two-person rule: never your own</small></h1>
<table id="pending"><thead><tr><th>#</th><th>Loại</th><th>Hồ sơ</th><th>Trường</th><th>Cũ <small>old</small></th><th>Mới <small>new</small></th><th>Căn cứ <small>legal basis</small></th><th>Người đề nghị</th><th>Lúc</th><th>Quyết định <small>decision</small></th></tr></thead><tbody>
{% for c in pending %}<tr id="corr-{{ c.id }}" data-kind="{{ c.kind }}"><td>{{ c.id }}</td><td>{{ c.kind }}</td><td>{% if c.record_id %}<a href="/ui/records/{{ c.record_id }}">{{ c.record_id }}</a>{% else %}<a href="/ui/documents/{{ c.document_id }}">văn bản <small>document</small></a>{% endif %}{% if c.review_item_id %}<br><a href="/ui/items/{{ c.review_item_id }}"><small>mục #{{ c.review_item_id }}</small></a>{% endif %}</td>
 {% if c.kind in ('person_add', 'person_swap') %}<td>{{ 'người' if c.kind == 'person_add' else c.field }}</td><td colspan="2" class="person-change"><b>{{ describe(c) }}</b></td>
 {% else %}<td>{{ c.field }}</td><td>{{ show(c.old_value) }}</td><td><b>{{ show(c.new_value) if c.kind != 'create' else 'hồ sơ mới' }}</b>{% if c.kind == 'create' %}<pre>{{ pretty(c.new_value) }}</pre>{% endif %}</td>{% endif %}<td>{{ c.legal_basis }}{% if c.comment %}<br><small>{{ c.comment }}</small>{% endif %}</td><td>{{ c.author }}</td><td>{{ vn(c.created_at) }}</td>
 <td>{% if user.can('approve') %}
  {% if c.author == user.username %}<small class="muted">đề nghị của bạn — yours, another approver must decide</small><br>{% endif %}
  <form method="post" action="/ui/corrections/{{ c.id }}/approve" class="inline"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button class="primary" id="approve-{{ c.id }}">Duyệt <small class="on-primary">approve</small></button></form>
  <form method="post" action="/ui/corrections/{{ c.id }}/reject"><input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="text" name="comment" id="reject-comment-{{ c.id }}" placeholder="lý do từ chối"><button class="danger" id="reject-{{ c.id }}">Từ chối <small class="en">reject</small></button></form>
 {% else %}<small class="muted">chờ người phê duyệt</small>{% endif %}</td></tr>
{% else %}<tr><td colspan="10" class="muted">Không có đề nghị nào — nothing to approve</td></tr>{% endfor %}</tbody></table>
<h2>Đã quyết định gần đây <small>recently decided</small></h2>
<table id="decided"><thead><tr><th>#</th><th>Hồ sơ</th><th>Trường</th><th>Cũ</th><th>Mới</th><th>Người đề nghị</th><th>Người quyết định</th><th>Kết quả</th><th>Ghi chú</th><th>Lúc</th></tr></thead><tbody>
{% for c in decided %}<tr><td>{{ c.id }}</td><td>{% if c.record_id %}<a href="/ui/records/{{ c.record_id }}">{{ c.record_id }}</a>{% else %}<a href="/ui/documents/{{ c.document_id }}">văn bản <small>document</small></a>{% endif %}</td><td>{{ c.field }}</td>{% if c.kind in ('person_add', 'person_swap') %}<td colspan="2">{{ describe(c) }}</td>{% else %}<td>{{ show(c.old_value) }}</td><td>{{ show(c.new_value) if c.kind != 'create' else 'hồ sơ mới' }}</td>{% endif %}<td>{{ c.author }}</td><td>{{ c.approver }}</td>
 <td>{% if c.status == 'approved' %}<span class="badge green">đã duyệt</span>{% else %}<span class="badge red">từ chối</span>{% endif %}</td><td>{{ c.decision_comment or '' }}</td><td>{{ vn(c.decided_at) }}</td></tr>{% endfor %}
</tbody></table>
{% endblock %}
"""

RECORDS = """{% extends "base.html" %}{% block title %}Hồ sơ{% endblock %}{% block body %}
<h1>Hồ sơ CSDL <small>registry records</small></h1>
<p><a href="/ui/records">Tất cả <small>all</small></a> · <a href="/ui/records?nodoc=1" id="nodoc">Chưa có văn bản <small>no document</small></a></p>
<table id="records"><thead><tr><th>Mã hồ sơ</th><th>Loại</th><th>Số văn bản</th><th>Số định danh</th><th>Ngày</th><th>Văn bản</th><th>Theo dõi <small>follow-up</small></th></tr></thead><tbody>
{% for r in rows %}<tr><td><a href="/ui/records/{{ r.record_id }}">{{ r.record_id }}</a></td><td>{{ r.doc_type }}</td><td>{{ r.document_number or '—' }}</td><td>{{ r.personal_id or '—' }}</td><td>{{ r.issue_date or '—' }}</td>
<td>{{ r.docs }}</td><td>{% if r.follow %}<span class="badge amber">theo dõi</span>{% endif %}</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""

RECORD = """{% extends "base.html" %}{% block title %}{{ rec.record_id }}{% endblock %}{% block body %}
<h1>Hồ sơ {{ rec.record_id }} <small>registry record · {{ rec.doc_type }}</small></h1>
<div class="cols"><div>
<h2>Dữ liệu hiện tại <small>current data</small></h2>
<table class="values" id="record-data">{% for k, v in data %}<tr><td>{{ k }}</td><td id="rec-{{ k }}">{{ show(v) }}</td></tr>{% endfor %}</table>
</div><div>
<h2>Văn bản <small>documents</small></h2>
{% if docs %}<ul>{% for d in docs %}<li><a href="/ui/documents/{{ d.document_id }}/signed.pdf" target="_blank">{{ d.source }}</a> <small>{{ d.document_id }} · {{ d.status }} · <a href="/ui/documents/{{ d.document_id }}">các người <small>persons</small></a></small></li>{% endfor %}</ul>
{% else %}<p>Chưa có văn bản nào <small>no document</small>
 {% if follow %}<span class="badge amber" id="follow-up">đã đánh dấu theo dõi bởi {{ follow.marked_by }}</span> <small>{{ follow.note or '' }}</small>
 {% elif user.can('verify') %}<form method="post" action="/ui/records/{{ rec.record_id }}/follow-up"><input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="text" name="note" placeholder="ghi chú / note"><button id="btn-follow">Đánh dấu theo dõi <small>mark for follow-up</small></button></form>{% endif %}</p>{% endif %}
{% if pending %}<h2>Đề nghị đang chờ <small>pending corrections</small></h2><ul>{% for c in pending %}<li>#{{ c.id }} {{ c.field }}: {{ show(c.old_value) }} → {{ show(c.new_value) }} ({{ c.author }})</li>{% endfor %}</ul>{% endif %}
</div></div>
<h2>Lịch sử <small>history — every change</small> · <a href="/ui/records/{{ rec.record_id }}/history.csv" id="export-csv">CSV</a> · <a href="/ui/records/{{ rec.record_id }}/history.json">JSON</a></h2>
<table id="history"><thead><tr><th>Thời gian <small>time</small></th><th>Người thực hiện <small>actor</small></th><th>Trường <small>field</small></th><th>Giá trị cũ <small>old</small></th><th>Giá trị mới <small>new</small></th><th>Lý do / căn cứ <small>reason</small></th><th>Người phê duyệt <small>approved by</small></th></tr></thead><tbody>
{% for h in history %}<tr><td>{{ vn(h.at) }}</td><td>{{ h.actor }}</td><td>{{ h.field }}</td><td>{{ show(h.old_value) if h.field != '*' else '' }}</td><td>{% if h.field == '*' %}<small>toàn bộ hồ sơ / whole record</small>{% else %}{{ show(h.new_value) }}{% endif %}</td><td>{{ h.reason }}</td><td>{{ h.approved_by or '—' }}</td></tr>{% endfor %}
</tbody></table>
{% endblock %}
"""

BATCHES = """{% extends "base.html" %}{% block title %}Lô quét{% endblock %}{% block body %}
<h1>Lô quét <small>scan batches</small></h1>
<table id="batches"><thead><tr><th>Lô <small>batch</small></th><th>Đơn vị</th><th>Người quét</th><th>Trạng thái</th><th>Tài liệu</th><th>Bắt đầu</th><th>Mục mở <small>open items</small></th></tr></thead><tbody>
{% for b in rows %}<tr><td>{{ b.batch_id }}</td><td>{{ b.unit or '—' }}</td><td>{{ b.operator or '—' }}</td><td>{{ b.status }}</td><td>{{ b.done }}/{{ b.total }}</td><td>{{ vn(b.started_at) }}</td><td>{{ b.open }}</td></tr>
{% else %}<tr><td colspan="7" class="muted">Chưa có lô nào — no batch yet</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""

USERS = """{% extends "base.html" %}{% block title %}Người dùng{% endblock %}{% block body %}
<h1>Người dùng <small>accounts</small></h1>
<table id="users"><thead><tr><th>Tên</th><th>Họ tên</th><th>Vai trò <small>role</small></th><th>Trạng thái <small>status</small></th><th>Tạo lúc</th><th>Bởi</th><th>Khóa / mở <small>disable / enable</small></th><th>Đặt mật khẩu tạm <small>reset password</small></th></tr></thead><tbody>
{% for u in rows %}<tr id="user-{{ u.username }}"><td>{{ u.username }}</td><td>{{ u.full_name or '' }}</td><td>{{ u.role }}</td>
 <td class="status">{% if u.active %}<span class="badge green">hoạt động / active</span>{% else %}<span class="badge red">đã khóa / disabled</span>{% endif %}{% if u.must_change_password %} <span class="badge amber">phải đổi mật khẩu</span>{% endif %}{% if u.username in locked %} <span class="badge red" id="locked-{{ u.username }}">tạm khóa / locked ({{ u.failed_logins }} lần sai)</span><form method="post" action="/ui/users/{{ u.username }}/unlock"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="unlock-{{ u.username }}">Mở khóa đăng nhập <small>unlock</small></button></form>{% endif %}</td>
 <td>{{ vn(u.created_at) }}</td><td>{{ u.created_by }}</td>
 <td>{% if u.username != user.username %}{% if u.active %}<form method="post" action="/ui/users/{{ u.username }}/disable"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button class="danger" id="disable-{{ u.username }}">Khóa <small class="en">disable</small></button></form>
  {% else %}<form method="post" action="/ui/users/{{ u.username }}/enable"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="enable-{{ u.username }}">Mở khóa <small>enable</small></button></form>{% endif %}{% endif %}</td>
 <td><form method="post" action="/ui/users/{{ u.username }}/reset-password"><input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="password" name="password" id="reset-password-{{ u.username }}" autocomplete="new-password" placeholder="mật khẩu tạm ≥ 10"><button id="reset-{{ u.username }}">Đặt lại <small>reset</small></button></form></td></tr>{% endfor %}</tbody></table>
<form method="post" action="/ui/users"><input type="hidden" name="csrf" value="{{ user.csrf }}"><fieldset><legend>Tạo tài khoản <small>new account</small></legend>
<label>Tên đăng nhập <input type="text" name="username" id="new-username"></label>
<label>Họ tên <input type="text" name="full_name" id="new-full-name"></label>
<label>Vai trò <select name="role" id="new-role">{% for r in roles %}<option>{{ r }}</option>{% endfor %}</select></label>
<label>Mật khẩu (≥ 10) <input type="password" name="password" id="new-password" autocomplete="new-password"></label>
<p><small>Tài khoản mới phải đổi mật khẩu khi đăng nhập lần đầu; trưởng đơn vị được thông báo.
 A new account must change its password at its first login; the head of unit is notified.</small></p>
<button id="btn-create-user">Tạo <small>create</small></button></fieldset></form>
<p><small>Khóa tài khoản kết thúc mọi phiên của người đó; mật khẩu tạm phải được đổi ở lần đăng nhập sau.
 Disabling ends the account's sessions at once; a reset password must be changed at the next login.</small></p>
{% endblock %}
"""

NOTICES = """{% extends "base.html" %}{% block title %}Thông báo{% endblock %}{% block body %}
<h1>Thông báo cho trưởng đơn vị <small>notices for the head of unit</small></h1>
<table id="notices"><thead><tr><th>#</th><th>Lúc <small>at</small></th><th>Loại <small>kind</small></th><th>Tài khoản <small>account</small></th><th>Nội dung <small>notice</small></th><th>Bởi <small>by</small></th><th></th></tr></thead><tbody>
{% for n in rows %}<tr id="notice-{{ n.id }}"><td>{{ n.id }}</td><td>{{ vn(n.created_at) }}</td><td>{{ n.kind }}</td><td>{{ n.subject }}</td><td>{{ n.text }}</td><td>{{ n.actor }}</td>
 <td>{% if n.actor != 'ui:' ~ user.username %}<form method="post" action="/ui/notices/{{ n.id }}/acknowledge"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="ack-{{ n.id }}">Đã xem <small>acknowledge</small></button></form>{% endif %}</td></tr>
{% else %}<tr><td colspan="7" id="notices-empty">Không có thông báo mới — no open notices</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""

PASSWORD = """{% extends "base.html" %}{% block title %}Đổi mật khẩu{% endblock %}{% block body %}
<form class="login" method="post" action="/ui/password">
  <h1>Đổi mật khẩu <small>change password</small></h1>
  {% if user.must_change_password %}<p class="error" id="must-change">Mật khẩu tạm: hãy chọn mật khẩu mới để tiếp tục <small>a temporary password: choose your own to continue</small></p>{% endif %}
  <input type="hidden" name="csrf" value="{{ user.csrf }}">
  <label>Mật khẩu hiện tại <small>current</small><input type="password" name="current" id="current-password" autocomplete="current-password" required></label>
  <label>Mật khẩu mới (≥ 10) <small>new</small><input type="password" name="new_password" id="new-password" autocomplete="new-password" required></label>
  <label>Nhập lại <small>again</small><input type="password" name="confirm" id="confirm-password" autocomplete="new-password" required></label>
  <button class="primary" type="submit" id="btn-change-password">Đổi mật khẩu <small class="on-primary">change</small></button>
</form>{% endblock %}
"""

ESCALATIONS = """{% extends "base.html" %}{% block title %}Cấp trên{% endblock %}{% block body %}
<h1>Mục chuyển cấp trên <small>escalated items — resolve, or send back with guidance</small></h1>
<table id="escalations"><thead><tr><th>#</th><th>Vấn đề <small>kind</small></th><th>Tài liệu <small>document</small></th><th>Trên văn bản <small>document</small></th><th>Trong CSDL <small>registry</small></th><th>Chuyển bởi <small>by</small></th><th>Ghi chú <small>comment</small></th><th>Xử lý <small>decide</small></th></tr></thead><tbody>
{% for r in rows %}<tr id="esc-{{ r.item.id }}" data-item="{{ r.item.id }}" class="{% if r.overdue %}overdue{% endif %}">
 <td><a href="/ui/items/{{ r.item.id }}">{{ r.item.id }}</a></td><td>{{ r.kind_label }}{% if r.item.field %}<br><code>{{ r.item.field }}</code>{% endif %}{% if r.overdue %}<br><span class="badge red">QUÁ HẠN</span>{% endif %}</td>
 <td><a href="/ui/items/{{ r.item.id }}">{{ r.doc.source }}</a><br><small>{{ r.doc.batch_id }}</small></td>
 <td class="big">{{ show(r.item.document_value) if r.item.kind != 'unmatched' else '—' }}</td><td class="big">{{ show(r.registry_value) if r.item.kind != 'unmatched' else '—' }}</td>
 <td>{{ r.st.escalated_by }}<br><small>{{ vn(r.st.escalated_at) }}</small></td><td class="comment">{{ r.st.escalation_comment }}</td>
 <td>{% if r.pending %}<span class="badge amber">chờ duyệt</span>
  {% else %}{% if r.item.kind != 'unmatched' %}<form method="post" action="/ui/items/{{ r.item.id }}/act"><input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="hidden" name="back" value="escalations">
   <input type="text" name="reason" placeholder="căn cứ / lý do" id="esc-reason-{{ r.item.id }}">
   <button name="action" value="accept" class="primary" id="esc-accept-{{ r.item.id }}">Chấp nhận văn bản <small class="on-primary">accept</small></button>
   {% if r.item.record_id %}<button name="action" value="keep" id="esc-keep-{{ r.item.id }}">Giữ CSDL <small>keep</small></button>{% endif %}</form>{% endif %}
  <a href="/ui/items/{{ r.item.id }}">Mở để sửa / liên kết <small>open to correct or link</small></a>
  <form method="post" action="/ui/items/{{ r.item.id }}/send-back"><input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="hidden" name="back" value="escalations">
   <input type="text" name="comment" placeholder="hướng dẫn / guidance" id="esc-comment-{{ r.item.id }}"><button id="esc-send-back-{{ r.item.id }}">Trả lại <small>send back</small></button></form>{% endif %}</td></tr>
{% else %}<tr><td colspan="8" class="muted" id="escalations-empty">Không có mục nào ở cấp trên — nothing escalated</td></tr>{% endfor %}</tbody></table>
<h2>Đã xử lý gần đây <small>recently handled</small></h2>
<table id="escalations-done"><thead><tr><th>#</th><th>Tài liệu</th><th>Trường</th><th>Chuyển bởi</th><th>Ghi chú</th><th>Kết quả <small>outcome</small></th></tr></thead><tbody>
{% for r in done %}<tr><td><a href="/ui/items/{{ r.item.id }}">{{ r.item.id }}</a></td><td>{{ r.doc.source }}</td><td>{{ r.item.field or '—' }}</td><td>{{ r.st.escalated_by }}</td><td>{{ r.st.escalation_comment }}</td>
 <td>{% if r.item.status != 'open' %}<span class="badge green">đã xử lý</span> <small>{{ r.item.resolution }}</small>{% else %}<span class="badge blue">trả lại</span> {{ r.st.returned_by }}: {{ r.st.return_comment }}{% endif %}</td></tr>
{% else %}<tr><td colspan="6" class="muted">—</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""

PERSONS_TABLE = """<h2>Các người trong văn bản <small>the document's persons, side by side</small></h2>
<table class="persons" id="persons"><thead><tr><th></th>{% for p in people %}<th class="{% if current is defined and p.ordinal == current %}current{% endif %}" data-person="{{ p.ordinal }}">Người {{ p.ordinal + 1 }} <small>person</small></th>{% endfor %}</tr></thead><tbody>
<tr><td>Họ tên <small>name</small></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %} pname" data-person="{{ p.ordinal }}"><b>{{ p.name or '—' }}</b></td>{% endfor %}</tr>
<tr><td>Số định danh / hộ chiếu <small>personal ID / passport</small></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %} pid" data-person="{{ p.ordinal }}">{{ p.personal_id or p.passport_number or '—' }}</td>{% endfor %}</tr>
{% for f in person_fields if f not in ('person_name', 'personal_id', 'passport_number') %}<tr><td><code>{{ f }}</code></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %}" data-person="{{ p.ordinal }}" data-field="{{ f }}">{{ show(p.values.get(f)) }}</td>{% endfor %}</tr>{% endfor %}
<tr><td>Trạng thái <small>status</small></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %} pstatus" data-person="{{ p.ordinal }}">{{ p.status }}</td>{% endfor %}</tr>
<tr><td>Hồ sơ CSDL <small>registry record</small></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %} precord" data-person="{{ p.ordinal }}">{% if p.registry_record_id %}<a href="/ui/records/{{ p.registry_record_id }}">{{ p.registry_record_id }}</a>{% else %}—{% endif %}</td>{% endfor %}</tr>
<tr><td>Lý lịch <small>timeline</small></td>{% for p in people %}<td class="{% if current is defined and p.ordinal == current %}current{% endif %}" data-person="{{ p.ordinal }}">{% if p.key %}<a href="/ui/persons/{{ p.key }}" class="timeline-link">Dòng thời gian <small>timeline</small></a>{% else %}—{% endif %}</td>{% endfor %}</tr>
</tbody></table>
"""

DOCUMENT = """{% extends "base.html" %}{% block title %}{{ doc.source }}{% endblock %}{% block body %}
<h1 id="doc-head" data-persons="{{ people|length }}">Văn bản <span id="doc-source">{{ doc.source }}</span> <small>document · {{ doc.doc_type or '?' }} · lô {{ doc.batch_id }} · {{ doc.status }}</small></h1>
<div class="cols"><div>
 <p><a href="/ui/documents/{{ doc.document_id }}/signed.pdf" target="_blank" id="signed-link">Mở văn bản đã ký (PDF) <small>open the signed document</small></a>
 {% for n in range(1, doc.page_count + 1) %} · <a href="/ui/documents/{{ doc.document_id }}?page={{ n }}{% if item_id %}&item={{ item_id }}{% endif %}">trang {{ n }}</a>{% endfor %}</p>
 {% if signed %}<img class="fullpage" id="page-image" src="/ui/documents/{{ doc.document_id }}/pages/{{ page_no }}.png" alt="page {{ page_no }}" width="560">{% else %}<p class="muted">Chưa có bản đã ký <small>no signed copy</small></p>{% endif %}
</div><div>
 {% if people %}{% include "persons_table.html" %}{% else %}<p class="muted" id="no-persons">Chưa đọc được người nào <small>no person read</small></p>{% endif %}
 <h2>Trường của văn bản <small>the document's own fields</small></h2>
 <table class="values" id="doc-fields">{% for f in doc_fields %}<tr><td>{{ f.name }}</td><td>{{ show(f.value) }} <small>{{ '%.2f'|format(f.confidence) }}</small></td></tr>{% endfor %}</table>
 {% include "verified_values.html" %}
 {% if items %}<h2>Mục đang mở <small>open items</small></h2><ul id="doc-items">{% for o in items %}<li><a href="/ui/items/{{ o.id }}">#{{ o.id }} {{ o.kind }} {{ o.field }}</a> <small>Người {{ o.person + 1 }}</small></li>{% endfor %}</ul>{% endif %}
 {% if pending %}<div class="flash" id="persons-pending">Đề nghị #{{ pending.id }} của {{ pending.author }} chờ phê duyệt <small>awaits approval</small>: {{ describe(pending) }}</div>
 {% elif user.can('verify') %}
 <form method="post" action="/ui/documents/{{ doc.document_id }}/persons/add"><input type="hidden" name="csrf" value="{{ user.csrf }}">{% if item_id %}<input type="hidden" name="item" value="{{ item_id }}">{% endif %}
  <fieldset><legend>Thiếu người <small>a person is missing — the document names someone not read</small></legend>
  <label>Họ tên <small>name (required)</small> <input type="text" class="wide" name="person_name" id="add-person_name"></label>
  <label>Số định danh <small>personal ID</small> <input type="text" name="personal_id" id="add-personal_id" placeholder="12 chữ số"></label>
  <label>Hộ chiếu <small>passport</small> <input type="text" name="passport_number" id="add-passport_number"></label>
  <label>Ngày sinh <small>birth date</small> <input type="text" name="birth_date" id="add-birth_date" placeholder="YYYY-MM-DD hoặc YYYY"></label>
  <label>Các trường khác (JSON) <small>other person fields as JSON, e.g. {"penalty_months": 18}</small><textarea name="json" id="add-json" rows="3"></textarea></label>
  <label>Căn cứ / lý do <small>reason</small><textarea name="reason" id="add-reason" rows="2"></textarea></label>
  <button id="btn-add-person">Đề nghị thêm người <small>propose</small></button></fieldset></form>
 {% if people|length > 1 %}
 <form method="post" action="/ui/documents/{{ doc.document_id }}/persons/swap"><input type="hidden" name="csrf" value="{{ user.csrf }}">{% if item_id %}<input type="hidden" name="item" value="{{ item_id }}">{% endif %}
  <fieldset><legend>Nhầm lẫn giữa hai người <small>two persons mixed up — swap their values</small></legend>
  <label>Người <select name="a" id="swap-a">{% for p in people %}<option value="{{ p.ordinal }}">{{ p.label }}</option>{% endfor %}</select></label>
  ⇄ <label>người <select name="b" id="swap-b">{% for p in people %}<option value="{{ p.ordinal }}" {% if loop.index == 2 %}selected{% endif %}>{{ p.label }}</option>{% endfor %}</select></label>
  <p>{% for f in person_fields %}<label class="inline"><input type="checkbox" name="field_{{ f }}" value="1" id="swap-{{ f }}"> <code>{{ f }}</code></label> {% endfor %}</p>
  <label>Căn cứ / lý do <small>reason</small><textarea name="reason" id="swap-reason" rows="2"></textarea></label>
  <button id="btn-swap">Đề nghị đổi chỗ <small>propose swap</small></button></fieldset></form>
 {% endif %}{% endif %}
</div></div>
{% endblock %}
"""

PERSON = """{% extends "base.html" %}{% block title %}Lý lịch {{ key }}{% endblock %}{% block body %}
{% if timeline %}
<h1 id="person-head" data-key="{{ timeline.key }}">{{ timeline.person_name or '—' }} <small>· {{ timeline.key }} · dòng thời gian <span class="en">timeline: every archived document about this person</span></small></h1>
{% if timeline.flags %}<div class="error" id="flags"><b>Điểm bất thường <small>what does not add up</small></b><ul>{% for f in timeline.flags %}<li class="flag" data-kind="{{ f.kind }}">{{ flag_labels.get(f.kind, f.kind) }} <small>{{ f.kind }}</small>: {{ f.detail }}</li>{% endfor %}</ul></div>{% endif %}
<table id="timeline"><thead><tr><th>Ngày <small>date</small></th><th>Loại <small>kind</small></th><th>Số <small>number</small></th><th>Cơ quan <small>issuer</small></th><th>Trạng thái <small>status</small></th><th>Hồ sơ CSDL <small>record</small></th><th>Văn bản <small>document</small></th></tr></thead><tbody>
{% for e in timeline.entries %}<tr class="{% if e.document_id in flagged %}flagged{% endif %}" data-document="{{ e.document_id }}">
 <td>{{ e.issue_date or '—' }}</td><td>{{ e.doc_type or '?' }}{% if e.kind %} · {{ e.kind }}{% endif %}{% if e.penalty_months is not none %} <small>{{ e.penalty_months }} tháng</small>{% endif %}</td>
 <td>{{ e.document_number or '—' }}{% if e.judgment_ref %}<br><small>theo bản án {{ e.judgment_ref }}</small>{% endif %}</td><td>{{ e.issuer or '—' }}</td><td>{{ e.status }}</td>
 <td>{% if e.registry_record_id %}<a href="/ui/records/{{ e.registry_record_id }}">{{ e.registry_record_id }}</a>{% else %}—{% endif %}</td>
 <td><a href="/ui/documents/{{ e.document_id }}">xem <small>view</small></a>{% if e.signed %} · <a href="/ui/documents/{{ e.document_id }}/signed.pdf" target="_blank" class="signed">PDF đã ký <small>signed</small></a>{% endif %}</td></tr>{% endfor %}
</tbody></table>
{% else %}
<h1 id="person-none">Không có văn bản nào về {{ key }} <small>the archive holds no document about this person</small></h1>
{% endif %}
{% endblock %}
"""

STATS = """{% extends "base.html" %}{% block title %}Số liệu{% endblock %}{% block body %}
<h1>Số liệu báo cáo <small>figures for the periodic report · {{ stats.start }} – {{ stats.end }}</small></h1>
<form method="get" action="/ui/stats" id="stats-filter"><label>Từ ngày <small>from</small> <input type="date" name="start" value="{{ stats.start }}"></label>
<label>Đến ngày <small>to</small> <input type="date" name="end" value="{{ stats.end }}"></label>
<label>Đơn vị <small>unit</small> <select name="unit"><option value="">tất cả / all</option>{% for u in units %}<option{% if u == unit %} selected{% endif %}>{{ u }}</option>{% endfor %}</select></label>
<button>Xem <small>show</small></button> <a href="/ui/stats.csv?start={{ stats.start }}&end={{ stats.end }}&unit={{ unit|urlencode }}" id="stats-csv">CSV</a></form>
{% set t = stats.total %}
<table id="stats-total"><tbody>
<tr><th>Tài liệu nhận <small>received</small></th><td id="t-received">{{ t.received }}</td><th>Tự khớp <small>auto-matched</small></th><td id="t-auto">{{ t.auto_matched }}</td><th>Cần xem xét <small>sent to review</small></th><td id="t-review">{{ t.sent_to_review }}</td></tr>
<tr><th>Mục đã xử lý <small>items resolved</small></th><td>{{ t.resolved }} / {{ t.items }}</td><th>Đúng hạn <small>on time</small></th><td id="t-ontime">{% if t.on_time_share is not none %}{{ (t.on_time_share * 100)|round(1) }} %{% else %}—{% endif %}</td><th>Quá hạn <small>overdue</small></th><td id="t-overdue">{{ t.overdue }}</td></tr>
<tr><th>Đính chính <small>corrections</small></th><td id="t-corrections">{{ t.corrections }}</td><th>Đã gửi về CSDL nguồn <small>pushed back</small></th><td id="t-pushed">{{ t.corrections_pushed }}</td><th></th><td></td></tr>
</tbody></table>
<h2>Theo tuần <small>per week</small></h2>
{{ chart }}
{% for d in dimensions %}<h2>Theo {{ {"unit": "đơn vị", "verifier": "người xác minh", "kind": "loại văn bản", "week": "tuần"}[d] }} <small>per {{ d }}</small></h2>
<table class="stats-by" id="by-{{ d }}"><thead><tr><th>{{ d }}</th><th>nhận</th><th>tự khớp</th><th>cần xem xét</th><th>mục</th><th>đã xử lý</th><th>đúng hạn</th><th>quá hạn</th><th>đính chính</th><th>đã gửi</th></tr></thead><tbody>
{% for k, f in stats.by[d]|dictsort %}<tr><td>{{ k }}</td><td>{{ f.received }}</td><td>{{ f.auto_matched }}</td><td>{{ f.sent_to_review }}</td><td>{{ f.items }}</td><td>{{ f.resolved }}</td><td>{% if f.on_time_share is not none %}{{ (f.on_time_share * 100)|round(1) }} %{% else %}—{% endif %}</td><td>{{ f.overdue }}</td><td>{{ f.corrections }}</td><td>{{ f.corrections_pushed }}</td></tr>
{% else %}<tr><td colspan="10" class="muted">không có số liệu — no data</td></tr>{% endfor %}</tbody></table>{% endfor %}
{% endblock %}
"""

TEMPLATES = {"base.html": BASE, "login.html": LOGIN, "queue.html": QUEUE, "item.html": ITEM,
             "approvals.html": APPROVALS, "notices.html": NOTICES, "records.html": RECORDS, "record.html": RECORD,
             "batches.html": BATCHES, "users.html": USERS, "password.html": PASSWORD,
             "escalations.html": ESCALATIONS, "persons_table.html": PERSONS_TABLE, "document.html": DOCUMENT,
             "person.html": PERSON, "stats.html": STATS}
TEMPLATES.update(REVIEW_TEMPLATES)  # review by document (ui/review_templates.py)
TEMPLATES.update(SPLIT_TEMPLATES)  # a many-document scan's cuts (ui/splits.py)
TEMPLATES.update(VERIFIED_TEMPLATES)  # current values with provenance (ui/verification_view.py)
