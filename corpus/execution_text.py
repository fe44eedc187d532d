"""Templates for execution decisions and certificates (seed 004 Art. 13.2).

`execution_doc(rng, kind, j, doc_date)` builds one decision or certificate
about the subject of judgment `j`; it returns the document, the truth
fields, the distractors and the template id.
"""
from __future__ import annotations

import datetime as dt
import random

from sohoa.corpus import bodies
from sohoa.corpus.doc import Block, Doc, Header, Signature
from sohoa.corpus.facts import Judgment, doc_number
from sohoa.corpus.people import commune, full_name
from sohoa.corpus.phrases import birth_phrase, given, id_phrase, penalty_core, q
from sohoa.corpus.vnformat import add_months, date_any, date_long, date_short, duration

DECISION_KINDS = ["execute_sentence", "postpone", "suspend", "reduce", "shorten_probation", "exempt", "parole", "expunge"]
CERTIFICATE_KINDS = ["completion", "expunge"]

TITLES = {
    "execute_sentence": ["THI HÀNH ÁN PHẠT TÙ", "Thi hành án phạt tù"],
    "postpone": ["HOÃN CHẤP HÀNH ÁN PHẠT TÙ", "Về việc hoãn chấp hành án phạt tù"],
    "suspend": ["TẠM ĐÌNH CHỈ CHẤP HÀNH ÁN PHẠT TÙ", "Về việc tạm đình chỉ chấp hành án phạt tù"],
    "reduce": ["GIẢM THỜI HẠN CHẤP HÀNH ÁN PHẠT TÙ", "Về việc giảm thời hạn chấp hành án phạt tù"],
    "shorten_probation": ["RÚT NGẮN THỜI GIAN THỬ THÁCH CỦA ÁN TREO", "Về việc rút ngắn thời gian thử thách"],
    "exempt": ["MIỄN CHẤP HÀNH ÁN PHẠT TÙ", "Về việc miễn chấp hành án phạt tù"],
    "parole": ["THA TÙ TRƯỚC THỜI HẠN CÓ ĐIỀU KIỆN", "Về việc tha tù trước thời hạn có điều kiện"],
    "expunge": ["XÓA ÁN TÍCH", "Về việc xóa án tích"],
}
SYMBOLS = {
    "execute_sentence": ["QĐ-CA", "QĐ-THA", "QĐ-CA"], "postpone": ["QĐ-CA", "QĐ-HPT"], "suspend": ["QĐ-CA", "QĐ-TĐC"],
    "reduce": ["QĐ-CA", "QĐ-GTH"], "shorten_probation": ["QĐ-CA", "QĐ-RNTT"], "exempt": ["QĐ-CA", "QĐ-MCHA"],
    "parole": ["QĐ-CA", "QĐ-TTTTH"], "expunge": ["QĐ-CA", "QĐ-XAT"],
}


def delay_for(kind: str, doc_type: str, rng: random.Random, j: Judgment) -> dt.date:
    """When such a document is issued, relative to the judgment."""
    s = j.subject.sentence
    d = j.date
    if kind == "execute_sentence":
        return d + dt.timedelta(days=rng.randint(25, 70))
    if kind == "postpone":
        return d + dt.timedelta(days=rng.randint(20, 80))
    if kind == "suspend":
        return add_months(d, rng.randint(3, 18))
    if kind in ("reduce", "parole"):
        return add_months(d, rng.randint(12, max(13, (s.months or 36) // 2 + 6)))
    if kind == "shorten_probation":
        return add_months(d, rng.randint(12, max(13, (s.probation or 24) - 3)))
    if kind == "exempt":
        return add_months(d, rng.randint(2, 12))
    if kind == "completion":
        base = j.subject.arrest_date or d + dt.timedelta(days=rng.randint(30, 90))
        return add_months(base, (s.months or 24)) + dt.timedelta(days=rng.randint(0, 5))
    if kind == "expunge":
        return add_months(d, (s.months or s.probation or 24) + rng.randint(14, 40))
    raise ValueError(kind)


def sentence_kind_for(kind: str) -> set[str]:
    """Which principal penalties a document kind can be about."""
    if kind == "shorten_probation":
        return {"suspended_imprisonment"}
    if kind in ("execute_sentence", "postpone", "suspend", "reduce", "exempt", "parole"):
        return {"imprisonment"}
    if kind == "completion":
        return {"imprisonment", "non_custodial_reform"}
    return {"imprisonment", "suspended_imprisonment", "non_custodial_reform", "fine"}


def execution_doc(rng: random.Random, doc_type: str, kind: str, j: Judgment, date: dt.date):
    dist: list[dict] = []
    subj = j.subject
    p = subj.person
    s = subj.sentence
    final = j  # the judgment executed (appeal judgment when there was one)
    st = j.st or j
    template = rng.choice(["E-prose", "E-form"]) if doc_type == "decision" else rng.choice(["C-form", "C-prose"])
    ref_phrase = (f"Bản án hình sự {'phúc thẩm' if final.level == 'PT' else 'sơ thẩm'} số {final.number} "
                  f"{date_any(final.date, rng, 0.3)} của {final.court.full}")
    dist.append({"kind": "referenced_judgment", "document_number": final.number, "date": final.date.isoformat(),
                 "issuer": final.court.name})
    if final.level == "PT":
        dist.append({"kind": "referenced_judgment", "document_number": st.number, "date": st.date.isoformat(),
                     "issuer": st.court.name})
    prov = st.court.extra.get("prov") or p.prov
    # ---- issuer
    if doc_type == "certificate" and kind == "completion":
        body = bodies.prison(rng) if s.kind == "imprisonment" else bodies.thahs_district(rng, p.prov, p.district)
    elif kind in ("reduce", "parole", "suspend"):
        body = bodies.province_court(rng, prov)
    elif kind == "shorten_probation":
        body = bodies.district_court(rng, p.prov, p.district)
    else:
        body = st.court
    body = bodies.court_on(rng, body, date)
    year_in_no = rng.random() < 0.7
    n = rng.randint(1, 900)
    if doc_type == "certificate":
        symbol = body.symbol if kind == "completion" else rng.choice(["GCN-TA", "GCN-XAT", "GCN"])
    else:
        symbol = rng.choice(SYMBOLS[kind])
    number = doc_number(rng, n, date.year if year_in_no else None, symbol)
    head = (body.head_title + " " + body.name).upper() if rng.random() < 0.8 else body.head_title.upper() + " " + body.name.upper()
    body_lines = ([body.parent] if body.parent else []) + body.header + ([body.province_line] if body.province_line else [])
    header = Header(body_lines, 1 if body.parent and body.kind == "prison" else 0, f"Số: {number}",
                    place_date=f"{body.place}, {date_long(date, rng)}" if rng.random() < 0.85 else f"{body.place}, ngày {date_short(date, rng)}",
                    layout="two_col" if rng.random() < 0.8 else "stacked")
    if doc_type == "certificate":
        title = ["GIẤY CHỨNG NHẬN"]
        sub = {"completion": "CHẤP HÀNH XONG ÁN PHẠT TÙ" if s.kind == "imprisonment" else "CHẤP HÀNH XONG ÁN PHẠT CẢI TẠO KHÔNG GIAM GIỮ",
               "expunge": "XÓA ÁN TÍCH"}[kind]
        subtitle = [sub]
        sstyle = "B"
    else:
        title = ["QUYẾT ĐỊNH"]
        t_up, t_vv = TITLES[kind]
        if rng.random() < 0.5:
            subtitle, sstyle = [t_up], "B"
        else:
            subtitle, sstyle = [t_vv], "B"
    blocks: list[Block] = [Block("center", head, style="B", space_before=0.2)]
    upper = rng.random() < 0.5
    nm = p.name.upper() if upper else p.name
    birth = birth_phrase(rng, p)
    idp = id_phrase(rng, p, date)
    effective = date
    explicit_effective = False
    fields: dict = {"doc_type": doc_type, "decision_kind": kind, "document_number": number, "issue_date": date.isoformat(),
                    "issuer": body.name, "person_name": p.name, "birth_date": p.birth_canonical, "judgment_ref": final.number}
    if p.personal_id:
        fields["personal_id"] = p.personal_id
    if p.passport:
        fields["passport_number"] = p.passport

    # ---- legal bases
    bases = {
        "execute_sentence": "Căn cứ Điều 363, Điều 364 Bộ luật Tố tụng hình sự; Điều 22 Luật Thi hành án hình sự",
        "postpone": "Căn cứ Điều 67 Bộ luật Hình sự; Điều 24 Luật Thi hành án hình sự",
        "suspend": "Căn cứ Điều 68 Bộ luật Hình sự; Điều 36 Luật Thi hành án hình sự",
        "reduce": "Căn cứ Điều 63 Bộ luật Hình sự; Điều 38 Luật Thi hành án hình sự",
        "shorten_probation": "Căn cứ khoản 4 Điều 65 Bộ luật Hình sự; Điều 90 Luật Thi hành án hình sự",
        "exempt": "Căn cứ Điều 62 Bộ luật Hình sự; Điều 367 Bộ luật Tố tụng hình sự",
        "parole": "Căn cứ Điều 66 Bộ luật Hình sự; Điều 368 Bộ luật Tố tụng hình sự",
        "expunge": "Căn cứ Điều 69, Điều 71 Bộ luật Hình sự; Điều 369 Bộ luật Tố tụng hình sự",
        "completion": "Căn cứ Điều 46 Luật Thi hành án hình sự",
    }
    dist.append({"kind": "legal_basis_articles", "text": bases[kind]})
    person_lines: list[Block] = []
    if template in ("E-form", "C-form"):
        person_lines += [
            Block("kv", cols=[f"Họ và tên: **{nm}**", f"Giới tính: {'Nam' if p.sex == 'M' else 'Nữ'}"]),
            Block("kv", cols=[birth_phrase(rng, p, label=True), f"Nơi sinh: {p.birth_place}" if p.id_kind != "passport" else f"Quốc tịch: {p.nationality}"]),
            Block("left", idp),
            Block("para", f"Nơi cư trú: {p.residence}", indent=False),
        ]
        if rng.random() < 0.5 and p.id_kind != "passport":
            person_lines.append(Block("para", f"Họ tên cha: {p.father}; Họ tên mẹ: {p.mother}", indent=False))
    else:
        person_lines.append(Block("para", f"{'Người bị kết án' if doc_type == 'decision' else p.anh_chi}: **{nm}**, {birth}; {idp}; "
                                          f"nơi cư trú: {p.residence}; con ông {p.father} và bà {p.mother}."))
    sentence_txt = f"{penalty_core(rng, s)} về tội " + ", ".join(q(rng, c.name) for c in subj.charges)
    if s.kind in ("imprisonment", "suspended_imprisonment", "non_custodial_reform") and s.months:
        fields["principal_penalty"] = s.kind
        fields["penalty_months"] = s.months
        fields["charges"] = [c.name for c in subj.charges]
    elif s.kind == "fine":
        fields["principal_penalty"] = "fine"
        fields["fine_vnd"] = s.fine
        fields["charges"] = [c.name for c in subj.charges]
    if final.level == "PT" and final.appeal_outcome != "keep":
        sts = st.subject.sentence
        dist.append({"kind": "first_instance_penalty", "penalty_months": sts.months, "principal_penalty": sts.kind})

    if doc_type == "decision":
        base = [Block("para", bases[kind] + ";", style="I" if rng.random() < 0.5 else "R")]
        base.append(Block("para", f"Căn cứ {ref_phrase} đã có hiệu lực pháp luật;", style=base[0].style))
        if final.level == "PT":
            base.append(Block("para", f"(sửa Bản án hình sự sơ thẩm số {st.number} ngày {date_short(st.date, rng)} của {st.court.name});",
                              style=base[0].style))
        extra_doc_no, extra_doc_date = None, None
        if kind in ("postpone", "suspend", "reduce", "shorten_probation", "exempt", "parole", "expunge"):
            what = {"postpone": f"Xét đơn đề nghị hoãn chấp hành án phạt tù của người bị kết án {p.name}",
                    "suspend": f"Xét kết luận giám định pháp y về tình trạng sức khỏe của phạm nhân {p.name}",
                    "reduce": "Xét đề nghị của Hội đồng xét, đề nghị giảm thời hạn chấp hành án phạt tù",
                    "shorten_probation": f"Xét đề nghị của Ủy ban nhân dân {commune(rng)} về việc rút ngắn thời gian thử thách",
                    "exempt": "Xét đề nghị của Viện trưởng Viện kiểm sát nhân dân cùng cấp",
                    "parole": "Xét hồ sơ đề nghị tha tù trước thời hạn có điều kiện",
                    "expunge": f"Xét đơn xin xóa án tích của {p.name}"}[kind]
            extra_doc_no = f"{rng.randint(1, 500)}/{rng.choice(['TTr-TG', 'CV-THAHS', 'ĐN'])}"
            extra_doc_date = date - dt.timedelta(days=rng.randint(5, 40))
            base.append(Block("para", f"{what} (văn bản số {extra_doc_no} ngày {date_short(extra_doc_date, rng)});" if rng.random() < 0.6
                              else f"{what};", style=base[0].style))
            dist.append({"kind": "request_document", "number": extra_doc_no, "date": extra_doc_date.isoformat()})
        blocks += base
        blocks.append(Block("heading", "QUYẾT ĐỊNH:", style="B", space_before=0.3, keep_with_next=True))
        d1 = {"execute_sentence": "Thi hành án phạt tù đối với:", "postpone": "Hoãn chấp hành án phạt tù đối với:",
              "suspend": "Tạm đình chỉ chấp hành án phạt tù đối với phạm nhân:", "reduce": "Giảm thời hạn chấp hành án phạt tù cho phạm nhân:",
              "shorten_probation": "Rút ngắn thời gian thử thách của án treo cho người bị kết án:",
              "exempt": "Miễn chấp hành án phạt tù cho người bị kết án:", "parole": "Tha tù trước thời hạn có điều kiện cho phạm nhân:",
              "expunge": "Xóa án tích cho người bị kết án:"}[kind]
        blocks.append(Block("para", "**Điều 1.** " + d1, indent=True))
        blocks += person_lines
        blocks.append(Block("para", f"Đã bị {final.court.name} xử phạt {sentence_txt} theo {ref_phrase}."))
        if kind == "execute_sentence":
            if subj.arrest_date:
                rem_from = subj.arrest_date
                blocks.append(Block("para", f"Thời hạn chấp hành án phạt tù tính từ ngày {date_short(rem_from, rng)} "
                                            f"(ngày bị bắt tạm giữ, tạm giam)."))
                dist.append({"kind": "arrest_date", "date": rem_from.isoformat()})
            else:
                blocks.append(Block("para", f"Người bị kết án phải có mặt tại cơ quan Công an {p.residence.split(', ')[-2]} trong thời hạn 07 ngày "
                                            f"kể từ ngày nhận được quyết định này để đi chấp hành án."))
            if rng.random() < 0.5:
                explicit_effective = True
                effective = date
        elif kind in ("postpone", "suspend"):
            m = rng.choice([3, 6, 6, 9, 12])
            fields["duration_months"] = m
            explicit_effective = True
            effective = date + dt.timedelta(days=rng.choice([0, 0, 3, 7]))
            verb = "hoãn" if kind == "postpone" else "tạm đình chỉ"
            reasons = ["bị bệnh nặng", "là lao động duy nhất trong gia đình", "gia đình có hoàn cảnh đặc biệt khó khăn"]
            if p.sex == "F":
                reasons += ["đang nuôi con dưới 36 tháng tuổi", "phụ nữ có thai"]
            reason = rng.choice(reasons)
            blocks.append(Block("para", f"Lý do: {reason}."))
            blocks.append(Block("para", f"Thời gian được {verb}: {duration(rng, m, years_ok=False)}, kể từ {date_any(effective, rng)}."))
            blocks.append(Block("para", f"Cơ quan, tổ chức theo dõi, quản lý: Ủy ban nhân dân {p.residence.split(', ')[-3]}."))
        elif kind == "reduce":
            m = rng.choice([1, 2, 3, 3, 6, 6, 9, 12])
            fields["duration_months"] = m
            served = rng.randint(12, max(13, (s.months or 30) - 6))
            blocks.append(Block("para", f"Đã chấp hành được {duration(rng, served, years_ok=False)}; thời hạn còn lại {duration(rng, max(1, (s.months or 36) - served), years_ok=False)}."))
            dist.append({"kind": "served_months", "value": served})
            blocks.append(Block("para", f"Được giảm: **{duration(rng, m, years_ok=False)}** thời hạn chấp hành án phạt tù."))
            if rng.random() < 0.4:
                blocks.append(Block("para", "Lần giảm thứ: 2. Lần giảm trước: 03 tháng (năm " + str(date.year - 1) + ")."))
                dist.append({"kind": "earlier_reduction", "duration_months": 3})
        elif kind == "shorten_probation":
            m = rng.choice([6, 12, 12, 18, 24])
            m = min(m, max(6, (s.probation or 24) // 2))
            fields["duration_months"] = m
            fields["probation_months"] = s.probation
            blocks.append(Block("para", f"Thời gian thử thách theo bản án: {duration(rng, given(s.probation, 'probation', s))}; được rút ngắn: **{duration(rng, m)}**."))
        elif kind == "exempt":
            rem = rng.randint(2, 20)
            blocks.append(Block("para", f"Được miễn chấp hành phần hình phạt tù còn lại là {duration(rng, rem, years_ok=False)}."))
            dist.append({"kind": "remaining_months", "value": rem})
        elif kind == "parole":
            pm = rng.randint(4, 24)
            fields["probation_months"] = pm
            blocks.append(Block("para", f"Thời gian thử thách: {duration(rng, pm, years_ok=False)} (bằng thời gian còn lại của hình phạt tù), "
                                        f"kể từ ngày được tha tù."))
        elif kind == "expunge":
            blocks.append(Block("para", f"Kể từ {date_any(date, rng)}, {p.name} được coi như chưa bị kết án."))
        if kind != "expunge" and not explicit_effective and rng.random() < 0.5:
            explicit_effective = True
            effective = date + dt.timedelta(days=rng.choice([0, 7, 10, 15]))
        if explicit_effective and effective != date:
            blocks.append(Block("para", f"**Điều 2.** Quyết định này có hiệu lực pháp luật kể từ {date_any(effective, rng)}."))
        else:
            blocks.append(Block("para", "**Điều 2.** Quyết định này có hiệu lực " + rng.choice(["kể từ ngày ký.", "thi hành ngay.", "pháp luật kể từ ngày ký."])))
            if blocks[-1].text.endswith("thi hành ngay."):
                effective = date
        fields["effective_date"] = effective.isoformat()
        unit = p.residence.split(", ")[-2]
        blocks.append(Block("para", f"**Điều 3.** {p.name}, Cơ quan thi hành án hình sự Công an {unit}, Ủy ban nhân dân "
                                    f"{p.residence.split(', ')[-3]} và các cơ quan, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này."))
        recips = ["- Như Điều 3;", "- VKSND cùng cấp;", f"- Sở Tư pháp {body.province.replace('tỉnh ', '').replace('thành phố ', 'TP ')};",
                  "- Lưu: VT, hồ sơ THA."]
        deputy = rng.random() < 0.35
        roles = ([f"KT. {body.head_title.upper()}", f"PHÓ {body.head_title.upper()}"] if deputy else [body.head_title.upper()])
        sig = Signature(roles, full_name(rng, rng.choice("MF")), recips, body.seal_ring)
    else:
        blocks.append(Block("para", rng.choice(["CHỨNG NHẬN:", "Chứng nhận:"]), style="B", indent=False, space_before=0.3))
        blocks += person_lines
        if kind == "completion":
            base_d = subj.arrest_date or (date - dt.timedelta(days=30 * (s.months or 12)))
            blocks.append(Block("para", f"Bị {final.court.name} xử phạt {sentence_txt} theo {ref_phrase}."))
            if s.kind == "imprisonment":
                blocks.append(Block("para", f"Bị bắt ngày: {date_short(base_d, rng)}." if subj.arrest_date else
                                    f"Vào trại ngày: {date_short(base_d, rng)}."))
                dist.append({"kind": "start_date", "date": base_d.isoformat()})
            done_d = date - dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 3]))
            fields["effective_date"] = done_d.isoformat()
            blocks.append(Block("para", f"Đã chấp hành xong án phạt {'tù' if s.kind == 'imprisonment' else 'cải tạo không giam giữ'} "
                                        f"{date_any(done_d, rng)}.", style="R"))
            blocks.append(Block("para", f"Về cư trú tại: {p.residence}."))
            extra = "Phạt tiền " + f"{s.fine:,}".replace(",", ".") + " đồng" if s.fine else "Không"
            blocks.append(Block("para", f"Hình phạt bổ sung tiếp tục phải chấp hành: {extra}."))
            if s.fine:
                fields["fine_vnd"] = s.fine
            blocks.append(Block("para", rng.choice(["Người được cấp giấy chứng nhận có trách nhiệm trình diện Ủy ban nhân dân cấp xã nơi cư trú "
                                                    "trong thời hạn 05 ngày làm việc kể từ ngày được cấp giấy chứng nhận.",
                                                    "Giấy chứng nhận này có giá trị để đương sự về trình diện chính quyền địa phương nơi cư trú."])))
            roles = [body.head_title.upper()] if rng.random() < 0.6 else [f"KT. {body.head_title.upper()}", f"PHÓ {body.head_title.upper()}"]
            sig = Signature(roles, full_name(rng, "M"), None, body.seal_ring, photo=rng.random() < 0.6,
                            left_block=["Người được cấp giấy chứng nhận", "(Ký, ghi rõ họ tên)"] if rng.random() < 0.5 else None)
            if rng.random() < 0.5:
                sig.recipients = ["- Đương sự;", "- Tòa án đã ra quyết định THA;", "- Sở Tư pháp;", "- Lưu: hồ sơ phạm nhân."]
        else:  # expunge certificate
            blocks.append(Block("para", f"Đã bị {final.court.name} xử phạt {sentence_txt} theo {ref_phrase}."))
            done = add_months(final.date, (s.months or s.probation or 12))
            blocks.append(Block("para", f"Đã chấp hành xong bản án {date_any(done, rng)} và đã chấp hành xong các quyết định khác của bản án."))
            dist.append({"kind": "completion_date", "date": done.isoformat()})
            blocks.append(Block("para", f"Được xóa án tích kể từ {date_any(date, rng)}."))
            fields["effective_date"] = date.isoformat()
            roles = [body.head_title.upper()]
            sig = Signature(roles, full_name(rng, rng.choice("MF")), ["- Đương sự;", "- Sở Tư pháp;", "- Lưu hồ sơ."],
                            body.seal_ring)
    if "fine_vnd" not in fields and s.fine and doc_type == "decision" and kind == "execute_sentence":
        fields["fine_vnd"] = s.fine
        blocks.insert(-2, Block("para", f"Hình phạt bổ sung: phạt tiền {s.fine:,} đồng.".replace(",", ".")))
    dist.append({"kind": "signer", "person_name": sig.name})
    doc = Doc(header, title, subtitle, sstyle, blocks, sig, page_numbers=False)
    return doc, fields, dist, template
