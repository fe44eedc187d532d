"""Synthetic documents the extractor tests share (laid out by extract_helpers.read): a first-instance
judgment with its fields as keywords, and a judgment against two co-defendants in another layout."""
from __future__ import annotations


def judgment_st(**kw):
    d = dict(court1="TÒA ÁN NHÂN DÂN", court2="QUẬN CẦU GIẤY", prov="THÀNH PHỐ HÀ NỘI",
             number="125/2024/HS-ST", date_hdr="Ngày: 18-3-2024",
             name="Nguyễn Văn An", birth="sinh ngày 02 tháng 5 năm 1990", pid="001090012345")
    d.update(kw)
    return [
        (d["court1"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (d["court2"], "Độc lập - Tự do - Hạnh phúc"),
        (d["prov"], None),
        ("Bản án số: " + d["number"], None),
        (d["date_hdr"], None),
        {"text": "NHÂN DANH", "align": "center"},
        {"text": "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "align": "center"},
        {"text": "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY, THÀNH PHỐ HÀ NỘI", "align": "center"},
        "- Thành phần Hội đồng xét xử sơ thẩm gồm có: Thẩm phán - Chủ tọa phiên tòa: Ông Lê Văn Bình.",
        "- Thư ký phiên tòa: Bà Trần Thị Hoa. Đại diện Viện kiểm sát nhân dân quận Cầu Giấy: Ông Phạm Văn Cường - Kiểm sát viên.",
        "Ngày 18 tháng 3 năm 2024, tại trụ sở Tòa án nhân dân quận Cầu Giấy xét xử sơ thẩm công khai vụ án hình sự thụ lý số 100/2024/TLST-HS ngày 01 tháng 3 năm 2024 đối với bị cáo:",
        f"Bị cáo: {d['name']}, {d['birth']} tại Hà Nội; nơi cư trú: phường Dịch Vọng, quận Cầu Giấy, thành phố Hà Nội; nghề nghiệp: lao động tự do; số định danh cá nhân: {d['pid']}; con ông Nguyễn Văn Hùng và bà Lê Thị Lan.",
        "Tiền án: Bản án số 45/2019/HS-ST ngày 10/6/2019 của Tòa án nhân dân huyện Đông Anh xử phạt 12 tháng tù về tội Cướp giật tài sản theo Điều 171 Bộ luật Hình sự.",
        "Bị cáo bị bắt tạm giữ, tạm giam từ ngày 05/01/2024. Có mặt.",
        "- Bị hại: Bà Trần Thị Mai, sinh năm 1985, CCCD số 001185098765; cư trú tại quận Cầu Giấy.",
        {"text": "NỘI DUNG VỤ ÁN", "align": "center"},
        "Khoảng 14 giờ ngày 02/01/2024, bị cáo lấy trộm 01 xe máy trị giá 25.000.000 đồng của bà Mai.",
        "Tại phiên tòa, đại diện Viện kiểm sát đề nghị xử phạt bị cáo từ 18 đến 24 tháng tù về tội Trộm cắp tài sản theo khoản 1 Điều 173 Bộ luật Hình sự.",
        {"text": "NHẬN ĐỊNH CỦA TÒA ÁN", "align": "center"},
        "Hành vi của bị cáo đã đủ yếu tố cấu thành tội Trộm cắp tài sản.",
        "Vì các lẽ trên,",
        {"text": "QUYẾT ĐỊNH:", "align": "center"},
        "Căn cứ khoản 1 Điều 173; điểm s khoản 1 Điều 51; Điều 38 Bộ luật Hình sự; Điều 136 Bộ luật Tố tụng hình sự; Nghị quyết số 326/2016/UBTVQH14.",
        f"1. Tuyên bố bị cáo {d['name']} phạm tội \"Trộm cắp tài sản\".",
        f"Xử phạt bị cáo {d['name']} 02 (hai) năm 06 (sáu) tháng tù. Thời hạn chấp hành hình phạt tù tính từ ngày bắt tạm giữ, tạm giam 05/01/2024.",
        "2. Về án phí: Bị cáo phải chịu 200.000 đồng án phí hình sự sơ thẩm.",
        "3. Bị cáo, bị hại có quyền kháng cáo bản án trong hạn 15 ngày kể từ ngày tuyên án.",
        ("Nơi nhận:", "TM. HỘI ĐỒNG XÉT XỬ SƠ THẨM"),
        ("- VKSND quận Cầu Giấy;", "Thẩm phán - Chủ tọa phiên tòa"),
        (None, "Lê Văn Bình"),
    ]


def codefendants_judgment():
    return [
        ("TOÀ ÁN NHÂN DÂN HUYỆN LONG THÀNH    ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("TỈNH ĐỒNG NAI", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: 45/2023/HS-ST", "Long Thành, ngày 05 tháng 7 năm 2023"),
        {"text": "BẢN ÁN HÌNH SỰ SƠ THẨM", "align": "center"},
        "Ngày 05 tháng 7 năm 2023, tại trụ sở Tòa án nhân dân huyện Long Thành xét xử sơ thẩm vụ án hình sự đối với các bị cáo:",
        "1. Họ và tên: TRẦN VĂN BÌNH; Giới tính: Nam; Sinh năm: 1985; Căn cước công dân: 075085001234; Tiền án: không.",
        "2. Họ và tên: LÊ VĂN CƯỜNG; Giới tính: Nam; Sinh ngày: 14/02/1999; Căn cước công dân: 075099005678.",
        "Tiền sự: Ngày 10/10/2020 bị Công an huyện Long Thành xử phạt hành chính 1.500.000 đồng.",
        "- Bị hại: Anh Phạm Văn Dũng, sinh năm 1990; CCCD: 075090007777.",
        "Vì các lẽ trên,",
        {"text": "QUYẾT ĐỊNH:", "align": "center"},
        "Tuyên bố các bị cáo Trần Văn Bình, Lê Văn Cường phạm tội \"Cướp giật tài sản\" và tội \"Chống người thi hành công vụ\".",
        "Áp dụng điểm d khoản 2 Điều 171; khoản 1 Điều 330; Điều 55; Điều 17; Điều 58 Bộ luật Hình sự năm 2015 (sửa đổi, bổ sung năm 2017).",
        "Xử phạt bị cáo Trần Văn Bình 03 (ba) năm tù về tội \"Cướp giật tài sản\" và 01 (một) năm tù về tội \"Chống người thi hành công vụ\". Tổng hợp hình phạt, buộc bị cáo Trần Văn Bình phải chấp hành hình phạt chung là 04 (bốn) năm tù.",
        "Xử phạt bị cáo Lê Văn Cường 02 (hai) năm tù về tội \"Cướp giật tài sản\" và 06 (sáu) tháng tù về tội \"Chống người thi hành công vụ\". Tổng hợp hình phạt chung là 02 (hai) năm 06 (sáu) tháng tù.",
        "Về án phí: Mỗi bị cáo phải chịu 200.000 đồng án phí hình sự sơ thẩm.",
    ]
