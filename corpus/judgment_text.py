"""Judgment templates (first instance ST and appeal PT).

`judgment_doc` returns the logical document, the truth fields and the
distractors (other numbers, dates, penalties, persons the text contains).
"""
from __future__ import annotations

import datetime as dt
import random

from sohoa.corpus import bodies
from sohoa.corpus.doc import Block, Doc, Header, Signature
from sohoa.corpus.facts import Defendant, Judgment
from sohoa.corpus.people import full_name
from sohoa.corpus.phrases import birth_phrase, citation, court_fee_phrase, id_phrase, penalty_core, q
from sohoa.corpus.vnformat import date_any, date_long, date_short, duration, money, money_phrase

TEMPLATES = ["J-classic", "J-published", "J-modern"]


def _name_print(rng: random.Random, name: str, upper: bool) -> str:
    return name.upper() if upper else name


def defendant_para(rng: random.Random, d: Defendant, when: dt.date, idx: int | None, style: int,
                   upper_names: bool, dist: list) -> str:
    p = d.person
    nm = f"**{_name_print(rng, p.name, upper_names)}**"
    lead = (f"{idx}. " if idx else "") + ("Bị cáo: " if style != 1 or not idx else "")
    alias = rng.choice(["", " (tên gọi khác: Không)", " (Tên gọi khác: không có)"])
    if p.id_kind == "passport":
        bits = [f"{lead}{nm}{alias}, {birth_phrase(rng, p)}", f"Quốc tịch: {p.nationality}", id_phrase(rng, p, when),
                f"nơi cư trú: {p.residence}", f"nghề nghiệp: {p.job}"]
    else:
        where = f" tại {p.birth_place}" if rng.random() < 0.5 else ""
        res_label = rng.choice(["Nơi cư trú", "nơi cư trú", "Nơi ĐKHKTT và chỗ ở", "Trú tại", "HKTT"])
        bits = [f"{lead}{nm}{alias}, {birth_phrase(rng, p)}{where}", f"{res_label}: {p.residence}",
                f"nghề nghiệp: {p.job}", f"trình độ học vấn: {p.education}", f"dân tộc: {p.ethnicity}",
                f"giới tính: {'Nam' if p.sex == 'M' else 'Nữ'}", "tôn giáo: Không", "quốc tịch: Việt Nam"]
        idp = id_phrase(rng, p, when)
        if "cấp ngày" in idp or " cấp " in idp:
            dist.append({"kind": "id_issue_date", "text": idp})
        bits.insert(rng.randint(1, len(bits)), idp)
        bits.append(f"con ông {p.father} và bà {p.mother}")
        if rng.random() < 0.4:
            spouse = full_name(rng, "F" if p.sex == "M" else "M")
            bits.append(f"{'vợ' if p.sex == 'M' else 'chồng'} là {spouse}, có {rng.randint(1, 3)} con")
            dist.append({"kind": "other_person", "text": spouse})
    if d.priors:
        pr = d.priors[0]
        bits.append(
            f"Tiền án: Bản án số {pr['number']} ngày {date_short(pr['date'], rng)} của {pr['court']} "
            f"xử phạt {duration(rng, pr['months'])} tù về tội {q(rng, pr['charge'])}, chấp hành xong hình phạt "
            f"ngày {date_short(pr['done'], rng)}, chưa được xóa án tích")
        bits.append("Tiền sự: Không")
        dist.append({"kind": "prior_conviction", "text": bits[-2], "document_number": pr["number"],
                     "date": pr["date"].isoformat(), "penalty_months": pr["months"]})
    else:
        bits.append(rng.choice(["Tiền án, tiền sự: Không", "tiền án: không; tiền sự: không", "Nhân thân: chưa có tiền án, tiền sự"]))
    if d.arrest_date:
        bits.append(f"Bị bắt tạm giữ, tạm giam từ {date_any(d.arrest_date, rng, 0.3)} đến nay" + rng.choice(
            [", có mặt", " tại Trại tạm giam Công an " + p.prov[0] + ", có mặt"]))
        dist.append({"kind": "arrest_date", "date": d.arrest_date.isoformat()})
    else:
        bits.append(rng.choice(["Bị cáo tại ngoại, có mặt", "bị áp dụng biện pháp ngăn chặn cấm đi khỏi nơi cư trú, có mặt"]))
    sep = "; " if rng.random() < 0.7 else ". "
    return sep.join(bits) + "."


def narrative(rng: random.Random, j: Judgment, d: Defendant, dist: list) -> list[str]:
    out = []
    c = d.charges[0]
    nm = d.person.name
    t = rng.choice(["Khoảng ", "Vào khoảng ", ""]) + f"{rng.randint(7, 22)} giờ {rng.choice(['00', '15', '30', '45'])} phút " \
        f"{date_any(j.offence_date, rng, 0.5)}"
    dist.append({"kind": "offence_date", "date": j.offence_date.isoformat()})
    item, value = j.item
    vic = j.victim
    vic_name = f"{vic.anh_chi.lower()} {vic.name}" if vic else "một người đi đường"
    art = c.article
    if art in ("173", "171", "168", "170", "175", "174", "178", "323"):
        act = {"173": "lén lút chiếm đoạt", "171": "nhanh chóng giật lấy", "168": "dùng dao đe dọa, chiếm đoạt",
               "170": "đe dọa để chiếm đoạt", "175": "mượn rồi mang đi cầm cố, chiếm đoạt", "174": "đưa ra thông tin gian dối để chiếm đoạt",
               "178": "dùng gạch đập phá", "323": "mua lại với giá rẻ"}[art]
        out.append(f"{t}, {nm} đi đến khu vực {d.person.residence.split(', ')[-3]} thì phát hiện {vic_name} "
                   f"để {item} không có người trông giữ nên nảy sinh ý định chiếm đoạt. {nm} đã {act} {item} "
                   f"rồi mang đi bán được {money(value // 2)} đồng, tiêu xài cá nhân hết.")
        vdate = j.offence_date + dt.timedelta(days=rng.randint(10, 40))
        out.append(f"Tại Kết luận định giá tài sản số {rng.randint(10, 300)}/KL-HĐĐG {date_any(vdate, rng)} của Hội đồng "
                   f"định giá tài sản trong tố tụng hình sự kết luận: {item} có giá trị là {money_phrase(rng, value)}.")
        dist.append({"kind": "valuation", "value_vnd": value, "date": vdate.isoformat()})
    elif art == "134":
        pct = rng.randint(11, 45)
        out.append(f"{t}, tại quán nước trước cổng chợ, giữa {nm} và {vic_name} xảy ra mâu thuẫn do va chạm giao thông. "
                   f"{nm} đã dùng tuýp sắt dài khoảng 60 cm đánh nhiều nhát vào vùng đầu và tay của {vic_name} gây thương tích.")
        out.append(f"Tại Bản kết luận giám định pháp y về thương tích số {rng.randint(100, 900)}/TgT: tỷ lệ tổn thương cơ thể "
                   f"do thương tích gây nên hiện tại là {pct}%.")
    elif art in ("249", "251", "255"):
        g = f"{rng.randint(0, 30)},{rng.randint(100, 999)}"
        out.append(f"{t}, tổ công tác Công an kiểm tra hành chính đối với {nm}, phát hiện trong túi quần bên phải của {nm} "
                   f"có 01 gói nilon chứa chất tinh thể màu trắng. Tại Kết luận giám định số {rng.randint(100, 3000)}/KL-KTHS: "
                   f"chất tinh thể thu giữ là ma túy, loại Methamphetamine, có khối lượng {g} gam.")
    elif art == "260":
        out.append(f"{t}, {nm} điều khiển xe ô tô biển kiểm soát {rng.randint(11, 99)}A-{rng.randint(100, 999)}.{rng.randint(10, 99)} "
                   f"đi không đúng phần đường, đâm vào xe mô tô do {vic_name} điều khiển, làm {vic_name} bị thương nặng, "
                   f"tỷ lệ tổn thương cơ thể {rng.randint(31, 60)}%.")
    elif art in ("321", "322"):
        amt = rng.randint(3, 40) * 1_000_000
        out.append(f"{t}, {nm} cùng một số đối tượng tổ chức đánh bạc dưới hình thức đánh liêng, được thua bằng tiền tại nhà "
                   f"của {nm}. Tổng số tiền dùng vào việc đánh bạc là {money_phrase(rng, amt)}.")
        dist.append({"kind": "money_in_facts", "value_vnd": amt})
    else:
        out.append(f"{t}, {nm} đã có hành vi phạm tội {q(rng, c.name)} như đã nêu trong Cáo trạng. Hành vi của bị cáo "
                   f"bị phát hiện và bắt quả tang cùng tang vật.")
    if len(d.charges) > 1:
        for c2 in d.charges[1:]:
            odate = j.offence_date + dt.timedelta(days=rng.randint(3, 60))
            out.append(f"Ngoài ra, {date_any(odate, rng)}, {nm} còn thực hiện hành vi {q(rng, c2.name)}, "
                       f"bị cơ quan điều tra phát hiện trong quá trình điều tra vụ án.")
    if len(j.defendants) > 1:
        others = ", ".join(x.person.name for x in j.defendants[1:])
        out.append(f"Cùng tham gia với {nm} còn có {others}; các bị cáo đã bàn bạc, phân công nhiệm vụ trước khi thực hiện hành vi.")
    return out


def _penalty_sentence(rng: random.Random, j: Judgment, d: Defendant, upper: bool, dist: list, subject: bool) -> list[str]:
    nm = _name_print(rng, d.person.name, upper)
    s = d.sentence
    out = []
    if len(d.charges) > 1 and s.kind == "imprisonment":
        parts = [f"{duration(rng, c.months)} tù về tội {q(rng, c.name)}" for c in d.charges]
        out.append(f"Xử phạt bị cáo **{nm}** " + "; ".join(parts) + ".")
        out.append(rng.choice([
            f"Căn cứ Điều 55 Bộ luật Hình sự, tổng hợp hình phạt, buộc bị cáo phải chấp hành hình phạt chung cho "
            f"{'cả hai' if len(d.charges) == 2 else 'các'} tội là {duration(rng, s.term)} tù.",
            f"Tổng hợp hình phạt của các tội, buộc bị cáo {nm} chấp hành hình phạt chung là {duration(rng, s.term)} tù.",
        ]))
        for c in d.charges:
            dist.append({"kind": "per_charge_penalty", "penalty_months": c.months, "charge": c.name})
    else:
        core = penalty_core(rng, s)
        lead = rng.choice(["Xử phạt bị cáo", "Xử phạt:", "Xử phạt bị cáo"])
        if s.kind == "fine":
            out.append(f"Xử phạt bị cáo **{nm}** {core} về tội {q(rng, d.charges[0].name)} để sung quỹ Nhà nước.")
        elif s.kind in ("life_imprisonment", "death"):
            out.append(f"Xử phạt bị cáo **{nm}** {core} về tội {q(rng, d.charges[0].name)}.")
        elif s.kind == "expulsion":
            out.append(f"Xử phạt bị cáo **{nm}** hình phạt {core}.")
        else:
            out.append(f"{lead} **{nm}** {core}" + (f" về tội {q(rng, d.charges[0].name)}" if rng.random() < 0.6 else "") + ".")
    if s.kind == "imprisonment":
        if d.arrest_date:
            out.append(f"Thời hạn chấp hành hình phạt tù tính từ ngày bắt tạm giữ, tạm giam {date_short(d.arrest_date, rng)}.")
        else:
            out.append("Thời hạn chấp hành hình phạt tù tính từ ngày bị cáo bị bắt đi chấp hành án.")
    elif s.kind == "suspended_imprisonment":
        out.append(f"Thời gian thử thách tính từ ngày tuyên án sơ thẩm ({date_short(j.date if j.level == 'ST' else j.first_instance.date, rng)}). "
                   f"Giao bị cáo cho Ủy ban nhân dân {d.person.residence.split(', ')[-3]} giám sát, giáo dục trong thời gian thử thách.")
    elif s.kind == "non_custodial_reform":
        if s.income_deduction:
            out.append(f"Khấu trừ {s.income_deduction}% thu nhập hằng tháng của bị cáo để sung quỹ Nhà nước trong thời gian chấp hành án.")
        out.append("Thời hạn cải tạo không giam giữ tính từ ngày cơ quan, tổ chức được giao giám sát, giáo dục nhận được quyết định thi hành án.")
    if s.fine and not s.fine_principal:
        out.append(f"Hình phạt bổ sung: Phạt tiền bị cáo {nm} {money_phrase(rng, s.fine)} để sung quỹ Nhà nước.")
    if not subject:
        dist.append({"kind": "co_defendant", "person_name": d.person.name, "principal_penalty": s.kind,
                     "penalty_months": s.months, "personal_id": d.person.personal_id})
    return out


def _panel(rng: random.Random, j: Judgment, level_word: str) -> list[Block]:
    hon = lambda n: n
    return [
        Block("para", f"- Thành phần Hội đồng xét xử {level_word} gồm có:", indent=True),
        Block("para", f"Thẩm phán - Chủ tọa phiên tòa: {hon(j.judges[0])}.", indent=True),
        Block("para", f"Các Hội thẩm nhân dân: {hon(j.judges[1])}; {hon(j.judges[2])}." if j.level == "ST"
              else f"Các Thẩm phán: {hon(j.judges[1])}; {hon(j.judges[2])}.", indent=True),
        Block("para", f"- Thư ký phiên tòa: {hon(j.clerk)} - Thư ký Tòa án nhân dân {j.court.name.split('nhân dân ', 1)[1]}.", indent=True),
        Block("para", f"- Đại diện {bodies.procuracy_of(j.court)} tham gia phiên tòa: {hon(j.prosecutor)} - Kiểm sát viên.", indent=True),
    ]


def person_fields(d: Defendant) -> dict:
    """The contract's person fields of one defendant (section 2)."""
    p = d.person
    fields: dict = {"person_name": p.name, "birth_date": p.birth_canonical, "charges": [c.name for c in d.charges],
                    "penal_code_articles": d.articles, "principal_penalty": d.sentence.kind}
    if p.personal_id:
        fields["personal_id"] = p.personal_id
    if p.passport:
        fields["passport_number"] = p.passport
    s = d.sentence
    if s.months is not None and s.kind in ("imprisonment", "suspended_imprisonment", "non_custodial_reform"):
        fields["penalty_months"] = s.months
    if s.probation:
        fields["probation_months"] = s.probation
    if s.fine:
        fields["fine_vnd"] = s.fine
    return fields


def judgment_persons(j: Judgment) -> list[dict]:
    """The persons of a judgment (contract section 5): every defendant it sentences, in the
    order it names them; an appeal sentences only its appellant, an acquitted defendant is none."""
    if j.level != "ST":
        return [person_fields(j.subject)]
    return [person_fields(d) for d in j.defendants if not d.acquitted]


def judgment_doc(rng: random.Random, j: Judgment, template: str | None = None):
    template = template or rng.choice(TEMPLATES)
    dist: list[dict] = []
    subj = j.subject
    court = j.court
    upper = rng.random() < 0.35
    st = j.level == "ST"
    level_word = "sơ thẩm" if st else "phúc thẩm"

    # ---- header
    num_label = rng.choice(["Bản án số:", "Bản án số:", "Số:", "Bản án số"])
    num_printed = j.number if rng.random() < 0.9 else j.number.replace("/", " / ", 1)
    body_lines = ([court.parent] if court.parent else []) + court.header + ([court.province_line] if court.province_line else [])
    if template == "J-modern":
        header = Header(body_lines, 0, f"Số: {num_printed}",
                        place_date=f"{court.place}, {date_long(j.date, rng)}", layout=rng.choice(["two_col", "stacked"]))
    else:
        header = Header(body_lines, 0, f"{num_label} {num_printed}",
                        under_number=[rng.choice(["Ngày: ", "Ngày ", "Ngày: "]) + rng.choice(
                            [f"{j.date.day}-{j.date.month}-{j.date.year}", date_short(j.date, rng)])],
                        layout="two_col")
    court_upper = court.full.upper()
    # ---- title
    if template == "J-published":
        title = [f"BẢN ÁN {j.number} NGÀY {date_short(j.date, rng)} VỀ TỘI {subj.charges[0].name.upper()}"]
        subtitle: list[str] = []
        blocks = [Block("center", "NHÂN DANH NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style="B"),
                  Block("center", court_upper, style="B", space_before=0.3)]
    elif template == "J-modern":
        title = ["BẢN ÁN HÌNH SỰ " + level_word.upper()]
        subtitle = []
        blocks = [Block("center", "NHÂN DANH", style="B"),
                  Block("center", "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style="B"),
                  Block("center", court_upper, style="B", space_before=0.3)]
    else:
        title = ["NHÂN DANH", "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
        subtitle = [court_upper]
        blocks = []
    blocks += _panel(rng, j, level_word)

    # ---- hearing
    if st:
        intro = (f"{date_long(j.date, rng)[0].upper()}{date_long(j.date, rng)[1:]}, tại trụ sở {court.name}"
                 f"{rng.choice(['', ' mở phiên tòa'])} xét xử sơ thẩm công khai vụ án hình sự thụ lý số: {j.acceptance[0]} "
                 f"ngày {date_short(j.acceptance[1], rng)}, theo Quyết định đưa vụ án ra xét xử số: {j.trial_order[0]} "
                 f"ngày {date_short(j.trial_order[1], rng)} đối với {'bị cáo' if len(j.defendants) == 1 else 'các bị cáo'}:")
    else:
        intro = (f"{date_long(j.date, rng)[0].upper()}{date_long(j.date, rng)[1:]}, tại trụ sở {court.name} xét xử phúc thẩm "
                 f"công khai vụ án hình sự phúc thẩm thụ lý số: {j.acceptance[0]} ngày {date_short(j.acceptance[1], rng)} "
                 f"do có kháng cáo của bị cáo {subj.person.name} đối với Bản án hình sự sơ thẩm số {j.first_instance.number} "
                 f"ngày {date_short(j.first_instance.date, rng)} của {j.first_instance.court.full}.")
        dist.append({"kind": "first_instance_judgment", "document_number": j.first_instance.number, "date": j.first_instance.date.isoformat(),
                     "issuer": j.first_instance.court.name})
    dist.append({"kind": "procedural_number", "values": [j.acceptance[0], j.trial_order[0]]})
    blocks.append(Block("para", intro))
    if not st:
        blocks.append(Block("para", "- Bị cáo có kháng cáo:", indent=True))
    for i, d in enumerate(j.defendants):
        blocks.append(Block("para", defendant_para(rng, d, j.date, i + 1 if len(j.defendants) > 1 else None,
                                                   rng.randint(0, 2), upper, dist)))
    if rng.random() < 0.6:
        lawyer = full_name(rng, rng.choice("MF"))
        blocks.append(Block("para", f"- Người bào chữa cho bị cáo {subj.person.name}: Luật sư {lawyer} - Văn phòng luật sư "
                                    f"{lawyer.split()[-1]} và cộng sự, Đoàn Luật sư {subj.person.prov[0]}. Có mặt."))
    if j.victim:
        v = j.victim
        blocks.append(Block("para", f"- Bị hại: {v.anh_chi} {v.name}, {birth_phrase(rng, v)}; {id_phrase(rng, v, j.date)}; "
                                    f"trú tại: {v.residence}. {rng.choice(['Có mặt.', 'Vắng mặt.', 'Có đơn xin xét xử vắng mặt.'])}"))
        dist.append({"kind": "victim", "person_name": v.name, "personal_id": v.personal_id, "birth": v.birth_canonical})

    # ---- facts
    blocks.append(Block("heading", rng.choice(["NỘI DUNG VỤ ÁN:", "NỘI DUNG VỤ ÁN", "NỘI DUNG VỤ ÁN:"]), style="B", space_before=0.4,
                        keep_with_next=True))
    blocks.append(Block("para", "Theo các tài liệu có trong hồ sơ vụ án và diễn biến tại phiên tòa, nội dung vụ án được tóm tắt như sau:"))
    for ptxt in narrative(rng, j, subj, dist):
        blocks.append(Block("para", ptxt))
    ind_no, ind_date = j.indictment
    cits = ", ".join(c.citation() for c in subj.charges)
    blocks.append(Block("para", f"Tại Bản Cáo trạng số {ind_no} {date_any(ind_date, rng)} của {bodies.procuracy_of(j.st.court if j.st else court)} "
                                f"đã truy tố bị cáo {subj.person.name} về tội " + ", ".join(q(rng, c.name) for c in subj.charges) +
                                f" theo {cits} Bộ luật Hình sự."))
    dist.append({"kind": "indictment", "number": ind_no, "date": ind_date.isoformat()})
    if not st:
        sts = j.first_instance.subject.sentence
        blocks.append(Block("para", f"Tại Bản án hình sự sơ thẩm số {j.first_instance.number} {date_any(j.first_instance.date, rng)}, {j.first_instance.court.name} đã quyết định: "
                                    f"Tuyên bố bị cáo {subj.person.name} phạm tội {q(rng, subj.charges[0].name)}. Áp dụng {citation(rng, j.first_instance.subject)}; "
                                    f"xử phạt bị cáo {subj.person.name} {penalty_core(rng, sts)}."))
        dist.append({"kind": "first_instance_penalty", "principal_penalty": sts.kind, "penalty_months": sts.months,
                     "probation_months": sts.probation})
        ap_date = j.first_instance.date + dt.timedelta(days=rng.randint(3, 14))
        blocks.append(Block("para", f"{date_any(ap_date, rng)[0].upper()}{date_any(ap_date, rng)[1:]}, bị cáo {subj.person.name} có đơn kháng cáo "
                                    f"xin {'được hưởng án treo' if j.appeal_outcome == 'suspend' else 'giảm nhẹ hình phạt'}."))
        dist.append({"kind": "appeal_date", "date": ap_date.isoformat()})
    # prosecutor
    if st and j.proposal:
        lo, hi = j.proposal
        unit = "tháng tù" if subj.sentence.kind != "non_custodial_reform" else "tháng cải tạo không giam giữ"
        blocks.append(Block("para", f"Tại phiên tòa, đại diện Viện kiểm sát giữ nguyên quyết định truy tố và đề nghị Hội đồng xét xử "
                                    f"áp dụng {citation(rng, subj)}: xử phạt bị cáo {subj.person.name} từ {lo:02d} đến {hi:02d} {unit}."
                                    .replace("Bộ luật Hình sự", "BLHS", 1 if rng.random() < 0.5 else 0)))
        dist.append({"kind": "prosecutor_proposal", "penalty_months_range": [lo, hi]})
    elif not st:
        sts = j.first_instance.subject.sentence
        if j.appeal_outcome == "keep":
            prop = "không chấp nhận kháng cáo của bị cáo, giữ nguyên bản án sơ thẩm"
        else:
            lo = rng.choice([3, 6])
            prop = f"chấp nhận kháng cáo, sửa bản án sơ thẩm, giảm cho bị cáo từ {lo:02d} đến {lo + 3:02d} tháng tù"
            dist.append({"kind": "prosecutor_proposal", "reduction_months_range": [lo, lo + 3]})
        blocks.append(Block("para", f"Tại phiên tòa phúc thẩm, đại diện Viện kiểm sát đề nghị Hội đồng xét xử {prop}."))
    blocks.append(Block("para", rng.choice(["Bị cáo nói lời sau cùng: Bị cáo biết lỗi, xin Hội đồng xét xử giảm nhẹ hình phạt để sớm trở về với gia đình.",
                                            "Lời nói sau cùng của bị cáo: xin được hưởng mức án thấp nhất."])))

    # ---- reasoning
    blocks.append(Block("heading", rng.choice(["NHẬN ĐỊNH CỦA TÒA ÁN:", "NHẬN ĐỊNH CỦA HỘI ĐỒNG XÉT XỬ:"]), style="B",
                        space_before=0.4, keep_with_next=True))
    blocks.append(Block("para", "Trên cơ sở nội dung vụ án, căn cứ vào các tài liệu trong hồ sơ vụ án đã được tranh tụng tại phiên tòa, "
                                "Hội đồng xét xử nhận định như sau:"))
    blocks.append(Block("para", "[1] Về tố tụng: Hành vi, quyết định tố tụng của Cơ quan điều tra, Điều tra viên, Viện kiểm sát, Kiểm sát viên "
                                "trong quá trình điều tra, truy tố đã thực hiện đúng về thẩm quyền, trình tự, thủ tục quy định của Bộ luật Tố tụng hình sự."))
    blocks.append(Block("para", f"[2] Về nội dung: Lời khai nhận tội của bị cáo tại phiên tòa phù hợp với lời khai tại cơ quan điều tra, "
                                f"vật chứng thu giữ và các tài liệu khác có trong hồ sơ. Do đó có đủ cơ sở kết luận bị cáo {subj.person.name} "
                                f"phạm tội " + " và ".join(q(rng, c.name) for c in subj.charges) + f", tội phạm và hình phạt được quy định tại "
                                f"{cits} Bộ luật Hình sự."))
    mit_txt = {"s": "thành khẩn khai báo, ăn năn hối cải", "b": "tự nguyện bồi thường thiệt hại", "i": "phạm tội lần đầu và thuộc trường hợp ít nghiêm trọng",
               "t": "tích cực giúp đỡ cơ quan có trách nhiệm phát hiện tội phạm", "v": "là người có thành tích xuất sắc trong lao động",
               "x": "có người thân là người có công với cách mạng"}
    blocks.append(Block("para", "[3] Về tình tiết giảm nhẹ: bị cáo " + "; ".join(mit_txt[m] for m in subj.mitigating) +
                                f" nên được hưởng tình tiết giảm nhẹ quy định tại điểm {', '.join(subj.mitigating)} khoản 1 Điều 51 Bộ luật Hình sự."))
    if subj.aggravating:
        blocks.append(Block("para", f"Bị cáo phải chịu tình tiết tăng nặng quy định tại điểm {subj.aggravating[0]} khoản 1 Điều 52 Bộ luật Hình sự."))
    if subj.priors:
        blocks.append(Block("para", "Bị cáo có nhân thân xấu, đã có tiền án chưa được xóa án tích nay lại tiếp tục phạm tội, "
                                    "cần xử phạt nghiêm để răn đe và phòng ngừa chung."))
    comp = rng.randint(2, 60) * 1_000_000
    blocks.append(Block("para", f"[4] Về trách nhiệm dân sự: bị cáo đã bồi thường cho bị hại số tiền {money_phrase(rng, comp)}, "
                                f"bị hại không yêu cầu gì thêm nên Hội đồng xét xử không xem xét."))
    dist.append({"kind": "civil_compensation", "value_vnd": comp})
    blocks.append(Block("para", "[5] Về xử lý vật chứng: áp dụng Điều 47 Bộ luật Hình sự, Điều 106 Bộ luật Tố tụng hình sự: tịch thu tiêu hủy "
                                "01 túi nilon niêm phong; trả lại cho bị hại tài sản đã thu giữ."))
    blocks.append(Block("para", f"[6] Về án phí: bị cáo phải chịu án phí hình sự {level_word} theo quy định tại Điều 136 Bộ luật Tố tụng hình sự "
                                f"và Nghị quyết số 326/2016/UBTVQH14 ngày 30/12/2016 của Ủy ban Thường vụ Quốc hội."))
    dist.append({"kind": "other_law_refs", "values": ["326/2016/UBTVQH14", "Điều 136 BLTTHS", "Điều 106 BLTTHS"]})

    # ---- decision
    blocks.append(Block("para", "Vì các lẽ trên,", indent=True, space_before=0.2, keep_with_next=True))
    blocks.append(Block("heading", "QUYẾT ĐỊNH:", style="B", keep_with_next=True))
    if not st:
        if j.appeal_outcome == "keep":
            blocks.append(Block("para", f"Căn cứ điểm a khoản 1 Điều 355; Điều 356 Bộ luật Tố tụng hình sự: Không chấp nhận kháng cáo của bị cáo "
                                        f"{subj.person.name}, giữ nguyên Bản án hình sự sơ thẩm số {j.first_instance.number} ngày {date_short(j.first_instance.date, rng)} "
                                        f"của {j.first_instance.court.name}."))
        else:
            blocks.append(Block("para", f"Căn cứ điểm b khoản 1 Điều 355; điểm c khoản 1 Điều 357 Bộ luật Tố tụng hình sự: Chấp nhận kháng cáo của "
                                        f"bị cáo {subj.person.name}, sửa Bản án hình sự sơ thẩm số {j.first_instance.number} ngày {date_short(j.first_instance.date, rng)} "
                                        f"của {j.first_instance.court.name} về phần hình phạt."))
        dist.append({"kind": "procedure_articles", "values": ["355", "356", "357"]})
    blocks.append(Block("para", f"{'1. ' if st else ''}Tuyên bố bị cáo **{_name_print(rng, subj.person.name, upper)}** phạm tội "
                                + ", ".join(q(rng, c.name) for c in subj.charges) + "."))
    blocks.append(Block("para", f"Áp dụng {citation(rng, subj)}." if rng.random() < 0.5 else f"Căn cứ {citation(rng, subj)};"))
    for t in _penalty_sentence(rng, j, subj, upper, dist, True):
        blocks.append(Block("para", t))
    for d in j.defendants[1:]:
        if not st:
            # an appeal sentences only the appellants; the others' first-instance sentence stands
            blocks.append(Block("para", f"Các quyết định khác của Bản án sơ thẩm đối với bị cáo "
                                        f"{_name_print(rng, d.person.name, upper)} không có kháng cáo, kháng nghị "
                                        "đã có hiệu lực pháp luật kể từ ngày hết thời hạn kháng cáo, kháng nghị."))
            dist.append({"kind": "not_appealing", "person_name": d.person.name})
            continue
        if d.acquitted:
            blocks.append(Block("para", f"Tuyên bố bị cáo {_name_print(rng, d.person.name, upper)} không phạm tội "
                                        f"{q(rng, d.charges[0].name)}. Bị cáo được hưởng quyền bồi thường theo quy định "
                                        "của Luật Trách nhiệm bồi thường của Nhà nước."))
            dist.append({"kind": "acquitted", "person_name": d.person.name})
            continue
        blocks.append(Block("para", f"Tuyên bố bị cáo {_name_print(rng, d.person.name, upper)} phạm tội {q(rng, d.charges[0].name)}. "
                                    f"Áp dụng {citation(rng, d)}."))
        for t in _penalty_sentence(rng, j, d, upper, dist, False):
            blocks.append(Block("para", t))
    blocks.append(Block("para", ("2. " if st else "") + court_fee_phrase(rng, j.court_fee, j.level)))
    dist.append({"kind": "court_fee", "value_vnd": j.court_fee})
    if st:
        blocks.append(Block("para", "3. Về quyền kháng cáo: Bị cáo, bị hại có mặt tại phiên tòa được quyền kháng cáo bản án trong hạn 15 ngày "
                                    "kể từ ngày tuyên án; bị hại vắng mặt được quyền kháng cáo trong hạn 15 ngày kể từ ngày nhận được bản án "
                                    "hoặc bản án được niêm yết."))
        if rng.random() < 0.5:
            blocks.append(Block("para", "Trường hợp bản án được thi hành theo quy định tại Điều 2 Luật Thi hành án dân sự thì người được thi hành "
                                        "án dân sự, người phải thi hành án dân sự có quyền thỏa thuận thi hành án, quyền yêu cầu thi hành án, "
                                        "tự nguyện thi hành án hoặc bị cưỡng chế thi hành án theo quy định tại các Điều 6, 7, 7a và 9 Luật "
                                        "Thi hành án dân sự; thời hiệu thi hành án được thực hiện theo quy định tại Điều 30 Luật Thi hành án dân sự."))
    else:
        blocks.append(Block("para", "Các quyết định khác của bản án sơ thẩm không có kháng cáo, kháng nghị có hiệu lực pháp luật kể từ ngày hết thời "
                                    "hạn kháng cáo, kháng nghị. Bản án phúc thẩm có hiệu lực pháp luật kể từ ngày tuyên án."))

    # ---- signature
    prov_short = court.province.replace("thành phố ", "TP ").replace("tỉnh ", "")
    recips = ["- " + bodies.procuracy_of(court).replace("Viện kiểm sát nhân dân", "VKSND") + ";",
              f"- Công an {court.extra.get('unit', court.province)};" if court.kind == "court_district" else f"- Công an {court.province};",
              f"- Sở Tư pháp {prov_short};", "- THADS " + (court.extra.get("unit") or prov_short) + ";",
              "- Bị cáo;" if len(j.defendants) == 1 else "- Các bị cáo;", "- Lưu hồ sơ vụ án."]
    role = ("TM. HỘI ĐỒNG XÉT XỬ " + level_word.upper()).strip() if rng.random() < 0.6 else "TM. HỘI ĐỒNG XÉT XỬ"
    sig = Signature(role_lines=[role, rng.choice(["THẨM PHÁN - CHỦ TỌA PHIÊN TÒA", "Thẩm phán - Chủ tọa phiên tòa"])],
                    name=j.judges[0].split(" ", 1)[1], recipients=recips if rng.random() < 0.85 else None, seal_ring=court.seal_ring,
                    signed_note="(Đã ký)" if rng.random() < 0.15 else None)
    dist.append({"kind": "judge", "person_name": j.judges[0].split(" ", 1)[1]})
    doc = Doc(header, title, subtitle, "B", blocks, sig, page_numbers=rng.random() < 0.4)

    p = subj.person
    fields = {
        "doc_type": "judgment",
        "document_number": j.number,
        "trial_level": j.level,
        "issue_date": j.date.isoformat(),
        "issuer": court.name,
        **person_fields(subj),
    }
    if p.id_kind == "cmnd9":
        dist.append({"kind": "old_9_digit_id", "value": p.id_number})
    return doc, fields, dist, template
