"""Templates and script of review by document (ui/routes/review.py): the document queue
and the one-screen decision form. Joined to ui/templates.py's TEMPLATES."""
from __future__ import annotations

REVIEW_QUEUE = """{% extends "base.html" %}{% block title %}Theo văn bản{% endblock %}{% block body %}
<h1>Kiểm tra theo văn bản <small>review by document — <span id="doc-count">{{ total }}</span> documents with open items, earliest deadline first</small></h1>
<p><a href="/ui/queue" id="by-field">Theo trường <small>by field</small></a> · <b>Theo văn bản <small>by document</small></b></p>
{% if user.can('verify') %}<form method="post" action="/ui/review/next" class="inline"><input type="hidden" name="csrf" value="{{ user.csrf }}">
<button class="primary" id="btn-next-doc" autofocus>Nhận văn bản tiếp theo <small class="on-primary">take the next document</small> <kbd>Enter</kbd></button></form>{% endif %}
<table id="doc-queue"><thead><tr><th>Tài liệu <small>document</small></th><th>Loại</th><th>Lô <small>batch</small></th><th>Người <small>persons</small></th><th>Mục mở <small>open items</small></th><th>Có thể xử lý <small>workable</small></th><th>Hạn sớm nhất <small>earliest due</small></th><th>Người giữ <small>held by</small></th></tr></thead><tbody>
{% for r in rows %}<tr class="{% if r.overdue %}overdue{% endif %}" data-document="{{ r.document_id }}">
 <td><a href="/ui/review/{{ r.document_id }}">{{ r.source }}</a></td><td>{{ r.doc_type or '—' }}</td><td>{{ r.batch_id }}</td><td>{{ r.persons }}</td>
 <td>{{ r.open_items }}</td><td>{{ r.workable }}</td>
 <td class="left">{% if r.overdue %}<span class="badge red">QUÁ HẠN overdue</span> {% endif %}{{ r.due }}</td><td>{{ r.held_by|join(', ') or '—' }}</td></tr>
{% else %}<tr><td colspan="8" class="muted" id="doc-queue-empty">Không có văn bản nào — no document has open items</td></tr>{% endfor %}
</tbody></table>
<p><small>Trên trang văn bản <kbd>j</kbd>/<kbd>k</kbd> mục sau/trước · <kbd>a</kbd> giá trị văn bản · <kbd>r</kbd> giá trị CSDL · <kbd>c</kbd> sửa · <kbd>e</kbd> cấp trên · <kbd>Enter</kbd> lưu tất cả và sang văn bản tiếp</small></p>
{% endblock %}
"""

REVIEW_DOC = """{% extends "base.html" %}{% block title %}Văn bản {{ doc.source }}{% endblock %}{% block body %}
<link rel="stylesheet" href="/ui/static/review.css"><script src="/ui/static/review.js" defer></script>
<h1 id="review-head" data-document="{{ doc.document_id }}" data-items="{{ items|length }}">Văn bản <span id="doc-source">{{ doc.source }}</span>
 <small>{{ doc.doc_type or '?' }} · lô {{ doc.batch_id }} · {{ people|length }} người · <span id="open-items">{{ items|length }}</span> mục mở <span class="en">open items</span> · hạn <span class="en">due</span> {{ due }}</small></h1>
<p><a href="/ui/review" id="by-document">Theo văn bản <small>by document</small></a> · <a href="/ui/queue" id="by-field">Theo trường <small>by field</small></a> · <a href="/ui/documents/{{ doc.document_id }}">Trang văn bản <small>document page</small></a>
 · <a href="/ui/documents/{{ doc.document_id }}/signed.pdf" target="_blank" id="signed-link">PDF đã ký <small>signed</small></a>
 · giữ bởi bạn <small>held by you</small>: <b id="held-count">{{ held }}</b>/{{ items|length }}
 {% if user.can('verify') and held < workable %}<form method="post" action="/ui/review/{{ doc.document_id }}/take" class="inline"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="btn-take-doc">Nhận tất cả <small>take all</small> <kbd>t</kbd></button></form>{% endif %}
 {% if held %}<form method="post" action="/ui/review/{{ doc.document_id }}/release" class="inline" id="release-form"><input type="hidden" name="csrf" value="{{ user.csrf }}"><button id="btn-release-doc">Trả lại và rời <small>release and leave</small></button></form>{% endif %}</p>
{% if people|length > 1 %}<details id="persons-box"><summary>Các người trong văn bản <small>the document's persons, side by side</small></summary>{% include "persons_table.html" %}</details>{% endif %}
{% if not items %}<p class="muted" id="review-empty">Văn bản không còn mục mở — nothing open on this document</p>{% endif %}
{% if items and user.can('verify') %}
<form method="post" action="/ui/review/{{ doc.document_id }}/decide" id="review-form" data-csrf="{{ user.csrf }}" data-document="{{ doc.document_id }}" data-held="{{ held }}">
<input type="hidden" name="csrf" value="{{ user.csrf }}"><input type="hidden" name="items" value="{{ items|map(attribute='id')|join(',') }}">
<p class="keys" id="review-keys"><small><kbd>j</kbd>/<kbd>k</kbd> mục sau/trước <span class="en">next/previous item</span> · <kbd>a</kbd> giá trị văn bản <span class="en">document value</span> · <kbd>r</kbd> giá trị CSDL <span class="en">registry value</span> · <kbd>c</kbd> sửa <span class="en">correct (type the value, Enter)</span> · <kbd>e</kbd> cấp trên <span class="en">escalate (type why, Enter)</span> · <kbd>g</kbd> căn cứ chung <span class="en">common reason</span> · <kbd>Enter</kbd> lưu tất cả <span class="en">save all and go to the next document</span></small></p>
{% for it in items %}{% set sub = submitted.get(it.id, {}) %}
<fieldset class="ritem{% if it.locked %} locked{% endif %}" id="ritem-{{ it.id }}" data-item="{{ it.id }}" data-kind="{{ it.kind }}" data-field="{{ it.field }}" data-person="{{ it.person }}" tabindex="-1" aria-labelledby="rlegend-{{ it.id }}">
 <legend id="rlegend-{{ it.id }}">#{{ it.id }} · {{ it.kind_label }}{% if it.field %} · <code>{{ it.field }}</code>{% endif %} · <span class="rperson">{{ it.person_label }}</span>{% if it.overdue %} <span class="badge red">QUÁ HẠN</span>{% endif %}</legend>
 <div class="rrow"><div class="rcrop">{% if it.has_crop %}<img class="crop" src="/ui/items/{{ it.id }}/crop.png" alt="vùng {{ it.field }} trên trang {{ it.page }} — {{ it.field }} on page {{ it.page }}">{% elif it.page %}<a href="/ui/documents/{{ doc.document_id }}/pages/{{ it.page }}.png" target="_blank">Cả trang {{ it.page }} <small>whole page</small></a>{% else %}<small class="muted">không có vùng — no region</small>{% endif %}</div>
 <div class="rvals"><table class="values">
  <tr><td>Trên văn bản <small>document</small></td><td class="big rdoc">{{ it.document_value }}</td></tr>
  <tr><td>{% if it.known %}Trong CSDL <small>registry</small>{% else %}Giá trị khác <small>other value</small>{% endif %}</td><td class="big rreg">{{ it.other_value }}</td></tr>
  <tr><td>Tin cậy <small>confidence</small></td><td>{{ it.confidence }}{% if it.record_id %} · <a href="/ui/records/{{ it.record_id }}">{{ it.record_id }}</a>{% endif %}</td></tr>
 </table>
 {% if it.locked %}<p class="muted rlocked">{{ it.locked }}</p>
 {% else %}
 <div role="radiogroup" aria-label="Quyết định mục #{{ it.id }} — decision">
 {% if it.kind != 'unmatched' %}
  <label><input type="radio" name="d_{{ it.id }}" value="accept" {% if sub.action == 'accept' %}checked{% endif %}> Giá trị văn bản <small>accept</small> <kbd>a</kbd></label>
  <label><input type="radio" name="d_{{ it.id }}" value="keep" {% if sub.action == 'keep' %}checked{% endif %} {% if not it.record_id %}disabled{% endif %}> Giá trị CSDL <small>registry</small> <kbd>r</kbd></label>
  <label><input type="radio" name="d_{{ it.id }}" value="correct" {% if sub.action == 'correct' %}checked{% endif %}> Sửa <small>correct</small> <kbd>c</kbd></label>
 {% endif %}
  <label><input type="radio" name="d_{{ it.id }}" value="escalate" {% if sub.action == 'escalate' %}checked{% endif %}> Cấp trên <small>escalate</small> <kbd>e</kbd></label>
  <label><input type="radio" name="d_{{ it.id }}" value="" {% if not sub.action %}checked{% endif %}> Để sau <small>later</small></label>
 </div>
 {% if it.kind != 'unmatched' %}<label>{% if it.known %}Giá trị đúng <small>corrected value</small>{% else %}Quyết định <small>your decision (free text)</small>{% endif %} <input type="text" class="wide rvalue" name="v_{{ it.id }}" id="rvalue-{{ it.id }}" value="{{ sub.value or '' }}" placeholder="{{ it.hint }}"></label>
 {% else %}<p><a href="/ui/items/{{ it.id }}">Liên kết / tạo hồ sơ trên trang mục <small>link or create a record on the item page</small></a></p>{% endif %}
 <label>Lý do / ghi chú <small>reason, or why escalated</small> <input type="text" class="wide rnote" name="n_{{ it.id }}" id="rnote-{{ it.id }}" value="{{ sub.note or '' }}"></label>
 {% endif %}
 </div></div>
</fieldset>
{% endfor %}
<label>Căn cứ / lý do chung <small>common legal basis / reason: for every decision without its own (a change to the registry needs one)</small> <kbd>g</kbd>
 <input type="text" class="wide" name="note" id="doc-note" value="{{ note }}"></label>
<p><button type="submit" name="next" value="1" class="primary" id="btn-save-next">Lưu tất cả, sang văn bản tiếp <small class="on-primary">save all, next document</small> <kbd>Enter</kbd></button>
 <button type="submit" name="next" value="0" id="btn-save-stay">Lưu, ở lại <small>save, stay</small></button></p>
</form>
{% endif %}
{% endblock %}
"""

REVIEW_CSS = """
fieldset.ritem{border-left:4px solid #bbb}
fieldset.ritem.current{border-left-color:#1f4e7a;background:#eef4fb;outline:2px solid #1f4e7a}
fieldset.ritem.decided{border-left-color:#2e7d32}
fieldset.ritem.locked{opacity:.6}
.rrow{display:flex;gap:16px;flex-wrap:wrap}.rcrop{flex:1 1 420px}.rcrop img{max-width:100%}.rvals{flex:1 1 420px}
div[role=radiogroup] label{margin-right:10px;white-space:nowrap}
"""

REVIEW_JS = """
// Review by document: j/k move between items, a accept the document's value, r keep the
// registry's, c correct (type the value, Enter), e escalate (type why, Enter), g the common
// reason, Enter saves every decision and goes to the next document; t takes the document.
// Without this script the form works as is (radios and a submit button).
(function () {
  var form = document.getElementById('review-form');
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll('fieldset.ritem'));
  var cur = -1, submitting = false;
  function decided(fs) {
    var r = fs.querySelector('input[type=radio]:checked');
    return !!(r && r.value) || fs.classList.contains('locked');
  }
  function mark(i, keepFocus) {
    if (!items.length) { return; }
    i = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (fs) { fs.classList.remove('current'); fs.removeAttribute('aria-current'); });
    cur = i;
    items[i].classList.add('current');
    items[i].setAttribute('aria-current', 'true');
    if (!keepFocus) { items[i].focus({preventScroll: true}); }
    items[i].scrollIntoView({block: 'nearest'});
  }
  function refresh() { items.forEach(function (fs) { fs.classList.toggle('decided', decided(fs)); }); }
  function advance() {
    refresh();
    for (var k = 1; k <= items.length; k++) {
      var j = (cur + k) % items.length;
      if (!decided(items[j])) { mark(j); return; }
    }
    document.getElementById('btn-save-next').focus();
  }
  function choose(action) {
    if (cur < 0) { return false; }
    var r = items[cur].querySelector('input[type=radio][value=' + action + ']');
    if (!r || r.disabled) { return false; }
    r.checked = true;
    refresh();
    return true;
  }
  function submit() {
    submitting = true;
    var b = document.getElementById('btn-save-next');
    if (form.requestSubmit) { form.requestSubmit(b); } else { b.click(); }
  }
  // any form of the page (save, take, release) leaves on purpose: no release behind its back
  document.addEventListener('submit', function () { submitting = true; }, true);
  form.addEventListener('change', refresh);
  items.forEach(function (fs, i) { fs.addEventListener('focusin', function () { if (cur !== i) { mark(i, true); } }); });
  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target, tag = (t.tagName || '').toLowerCase();
    var typing = tag === 'textarea' || tag === 'select' || (tag === 'input' && t.type !== 'radio' && t.type !== 'checkbox');
    if (typing) {
      if (ev.key === 'Enter' && t.form === form && t.id !== 'doc-note') { ev.preventDefault(); advance(); }
      else if (ev.key === 'Escape' && cur >= 0) { ev.preventDefault(); items[cur].focus(); }
      return;
    }
    var k = ev.key, f;
    if (k === 'j') { mark(cur + 1); }
    else if (k === 'k') { mark(cur - 1); }
    else if (k === 'a' || k === 'r') { if (choose(k === 'a' ? 'accept' : 'keep')) { advance(); } }
    else if (k === 'c' || k === 'e') {
      if (choose(k === 'c' ? 'correct' : 'escalate')) {
        f = items[cur].querySelector(k === 'c' ? 'input.rvalue' : 'input.rnote');
        if (f) { ev.preventDefault(); f.focus(); return; }
        advance();
      }
    }
    else if (k === 'g') { f = document.getElementById('doc-note'); if (f) { f.focus(); } }
    else if (k === 't') { f = document.getElementById('btn-take-doc'); if (f) { f.click(); } }
    else if (k === 'Enter' && tag !== 'button' && tag !== 'a') { submit(); }
    else { return; }
    ev.preventDefault();
  });
  // leaving the page without saving releases what this user holds (the same release as the button)
  window.addEventListener('pagehide', function () {
    if (submitting || form.getAttribute('data-held') === '0' || !navigator.sendBeacon) { return; }
    navigator.sendBeacon('/ui/review/' + form.getAttribute('data-document') + '/release',
                         new URLSearchParams({csrf: form.getAttribute('data-csrf'), beacon: '1'}));
  });
  refresh();
  var first = items.findIndex(function (fs) { return !decided(fs); });
  mark(first < 0 ? 0 : first);
})();
"""

REVIEW_TEMPLATES = {"review_queue.html": REVIEW_QUEUE, "review_doc.html": REVIEW_DOC}
