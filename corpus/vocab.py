"""Word lists: names, places, courts, prisons, police units, offences.

Real Vietnamese place and body names, so that generated documents look like
the paper the archive actually holds.  Everything here is plain data.
"""
from __future__ import annotations

SURNAMES = [
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Đinh", 1), ("Đoàn", 1), ("Lương", 1),
    ("Trịnh", 1), ("Mai", 1), ("Tạ", 1), ("Quách", 1), ("Lò", 1), ("Hà", 1), ("Triệu", 1),
]
MIDDLE_M = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Công", "Xuân",
            "Thanh", "Ngọc", "Trọng", "Đình", "Tiến", "Quang", "Mạnh", "Duy", "Hoàng", "Anh"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Phương", "Mỹ",
            "Thùy", "Bích", "Diệu", "Khánh", "Hải"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hoàng",
           "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Long", "Lực", "Mạnh", "Nam", "Nghĩa",
           "Phong", "Phúc", "Quân", "Quý", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn",
           "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Dương", "Lộc", "Tuyến", "Hưng"]
GIVEN_F = ["Anh", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan", "Liên", "Linh",
           "Loan", "Mai", "Ngân", "Ngọc", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang",
           "Tuyết", "Vân", "Yến", "Dung", "Thủy"]

# province name (as used in body text), short form used in place-date line,
# CCCD province code, list of (district-level unit kind, name)
PROVINCES = [
    ("thành phố Hà Nội", "Hà Nội", "001", [("quận", "Cầu Giấy"), ("quận", "Đống Đa"), ("quận", "Hoàng Mai"),
        ("quận", "Long Biên"), ("quận", "Hà Đông"), ("huyện", "Sóc Sơn"), ("huyện", "Gia Lâm"), ("huyện", "Thạch Thất")]),
    ("tỉnh Hà Giang", "Hà Giang", "002", [("huyện", "Vị Xuyên"), ("thành phố", "Hà Giang")]),
    ("tỉnh Lào Cai", "Lào Cai", "010", [("thành phố", "Lào Cai"), ("huyện", "Bát Xát"), ("thị xã", "Sa Pa")]),
    ("tỉnh Điện Biên", "Điện Biên", "011", [("huyện", "Điện Biên"), ("huyện", "Tuần Giáo")]),
    ("tỉnh Sơn La", "Sơn La", "014", [("huyện", "Mai Sơn"), ("huyện", "Mộc Châu")]),
    ("tỉnh Thái Nguyên", "Thái Nguyên", "019", [("thành phố", "Thái Nguyên"), ("huyện", "Đại Từ")]),
    ("tỉnh Quảng Ninh", "Quảng Ninh", "022", [("thành phố", "Hạ Long"), ("thành phố", "Cẩm Phả"), ("thành phố", "Móng Cái")]),
    ("tỉnh Bắc Giang", "Bắc Giang", "024", [("huyện", "Lục Nam"), ("huyện", "Yên Dũng")]),
    ("tỉnh Bắc Ninh", "Bắc Ninh", "027", [("thành phố", "Từ Sơn"), ("huyện", "Tiên Du"), ("huyện", "Quế Võ")]),
    ("thành phố Hải Phòng", "Hải Phòng", "031", [("quận", "Lê Chân"), ("quận", "Ngô Quyền"), ("huyện", "Thủy Nguyên")]),
    ("tỉnh Hải Dương", "Hải Dương", "030", [("huyện", "Cẩm Giàng"), ("thành phố", "Chí Linh")]),
    ("tỉnh Thái Bình", "Thái Bình", "034", [("huyện", "Vũ Thư"), ("huyện", "Kiến Xương")]),
    ("tỉnh Nam Định", "Nam Định", "036", [("huyện", "Hải Hậu"), ("huyện", "Ý Yên")]),
    ("tỉnh Thanh Hóa", "Thanh Hóa", "038", [("thành phố", "Thanh Hóa"), ("huyện", "Tĩnh Gia"), ("huyện", "Thọ Xuân"), ("thị xã", "Bỉm Sơn")]),
    ("tỉnh Nghệ An", "Nghệ An", "040", [("thành phố", "Vinh"), ("huyện", "Diễn Châu"), ("huyện", "Quỳnh Lưu")]),
    ("tỉnh Hà Tĩnh", "Hà Tĩnh", "042", [("huyện", "Kỳ Anh"), ("huyện", "Hương Khê")]),
    ("tỉnh Quảng Bình", "Quảng Bình", "044", [("thành phố", "Đồng Hới"), ("huyện", "Bố Trạch")]),
    ("tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "046", [("thành phố", "Huế"), ("thị xã", "Hương Thủy")]),
    ("thành phố Đà Nẵng", "Đà Nẵng", "048", [("quận", "Hải Châu"), ("quận", "Thanh Khê"), ("quận", "Sơn Trà")]),
    ("tỉnh Quảng Nam", "Quảng Nam", "049", [("thành phố", "Tam Kỳ"), ("thành phố", "Hội An"), ("huyện", "Điện Bàn")]),
    ("tỉnh Quảng Ngãi", "Quảng Ngãi", "051", [("huyện", "Bình Sơn"), ("huyện", "Tư Nghĩa")]),
    ("tỉnh Bình Định", "Bình Định", "052", [("thành phố", "Quy Nhơn"), ("thị xã", "An Nhơn")]),
    ("tỉnh Khánh Hòa", "Khánh Hòa", "056", [("thành phố", "Nha Trang"), ("thành phố", "Cam Ranh")]),
    ("tỉnh Đắk Lắk", "Đắk Lắk", "066", [("thành phố", "Buôn Ma Thuột"), ("huyện", "Krông Pắc"), ("huyện", "Ea H'leo")]),
    ("tỉnh Lâm Đồng", "Lâm Đồng", "068", [("thành phố", "Đà Lạt"), ("thành phố", "Bảo Lộc")]),
    ("tỉnh Bình Phước", "Bình Phước", "070", [("thành phố", "Đồng Xoài"), ("huyện", "Bù Đăng")]),
    ("tỉnh Tây Ninh", "Tây Ninh", "072", [("huyện", "Trảng Bàng"), ("huyện", "Gò Dầu")]),
    ("tỉnh Bình Dương", "Bình Dương", "074", [("thành phố", "Thủ Dầu Một"), ("thành phố", "Dĩ An"), ("thành phố", "Thuận An")]),
    ("tỉnh Đồng Nai", "Đồng Nai", "075", [("thành phố", "Biên Hòa"), ("huyện", "Trảng Bom"), ("huyện", "Long Thành"), ("huyện", "Xuân Lộc")]),
    ("tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu", "077", [("thành phố", "Vũng Tàu"), ("thành phố", "Bà Rịa")]),
    ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", "079", [("quận", "1"), ("quận", "Bình Thạnh"), ("quận", "Gò Vấp"),
        ("quận", "Tân Bình"), ("quận", "Bình Tân"), ("huyện", "Củ Chi"), ("huyện", "Bình Chánh"), ("thành phố", "Thủ Đức")]),
    ("tỉnh Long An", "Long An", "080", [("thành phố", "Tân An"), ("huyện", "Đức Hòa")]),
    ("tỉnh Tiền Giang", "Tiền Giang", "082", [("thành phố", "Mỹ Tho"), ("huyện", "Cai Lậy")]),
    ("tỉnh Bến Tre", "Bến Tre", "083", [("huyện", "Mỏ Cày Nam"), ("huyện", "Châu Thành")]),
    ("thành phố Cần Thơ", "Cần Thơ", "092", [("quận", "Ninh Kiều"), ("quận", "Cái Răng")]),
    ("tỉnh An Giang", "An Giang", "089", [("thành phố", "Long Xuyên"), ("thành phố", "Châu Đốc")]),
    ("tỉnh Kiên Giang", "Kiên Giang", "091", [("thành phố", "Rạch Giá"), ("thành phố", "Phú Quốc")]),
    ("tỉnh Cà Mau", "Cà Mau", "096", [("thành phố", "Cà Mau"), ("huyện", "Năm Căn")]),
]

# High People's Courts (appeal level for provincial first-instance judgments)
HIGH_COURTS = ["Hà Nội", "Đà Nẵng", "Thành phố Hồ Chí Minh"]

PRISONS = [
    ("Trại giam Xuân Lộc", "Bộ Công an", "tỉnh Đồng Nai"),
    ("Trại giam Thủ Đức", "Bộ Công an", "tỉnh Bình Thuận"),
    ("Trại giam Nam Hà", "Bộ Công an", "tỉnh Hà Nam"),
    ("Trại giam Ba Sao", "Bộ Công an", "tỉnh Hà Nam"),
    ("Trại giam Thanh Xuân", "Bộ Công an", "thành phố Hà Nội"),
    ("Trại giam Phú Sơn 4", "Bộ Công an", "tỉnh Thái Nguyên"),
    ("Trại giam Thanh Lâm", "Bộ Công an", "tỉnh Thanh Hóa"),
    ("Trại giam số 6", "Bộ Công an", "tỉnh Nghệ An"),
    ("Trại giam Bình Điền", "Bộ Công an", "tỉnh Thừa Thiên Huế"),
    ("Trại giam An Phước", "Bộ Công an", "tỉnh Bình Dương"),
    ("Trại giam Châu Bình", "Bộ Công an", "tỉnh Bến Tre"),
    ("Trại giam Đắk Trung", "Bộ Công an", "tỉnh Gia Lai"),
    ("Trại giam Tống Lê Chân", "Bộ Công an", "tỉnh Bình Phước"),
    ("Trại giam Hoàng Tiến", "Bộ Công an", "tỉnh Hải Dương"),
]

# offence: name (as in the Penal Code 2015), article, typical clause,
# penalty range in months for that clause, can be suspended
OFFENCES = [
    ("Trộm cắp tài sản", "173", "1", (6, 36), True),
    ("Trộm cắp tài sản", "173", "2", (24, 84), False),
    ("Lừa đảo chiếm đoạt tài sản", "174", "1", (6, 36), True),
    ("Lừa đảo chiếm đoạt tài sản", "174", "2", (24, 84), False),
    ("Lạm dụng tín nhiệm chiếm đoạt tài sản", "175", "1", (6, 36), True),
    ("Cướp giật tài sản", "171", "1", (12, 60), False),
    ("Cướp tài sản", "168", "1", (36, 120), False),
    ("Cưỡng đoạt tài sản", "170", "1", (12, 60), False),
    ("Cố ý gây thương tích", "134", "1", (6, 36), True),
    ("Cố ý gây thương tích", "134", "2", (24, 72), False),
    ("Giết người", "123", "2", (84, 180), False),
    ("Tàng trữ trái phép chất ma túy", "249", "1", (12, 60), False),
    ("Mua bán trái phép chất ma túy", "251", "1", (24, 84), False),
    ("Tổ chức sử dụng trái phép chất ma túy", "255", "1", (24, 84), False),
    ("Vi phạm quy định về tham gia giao thông đường bộ", "260", "1", (6, 36), True),
    ("Đánh bạc", "321", "1", (6, 36), True),
    ("Tổ chức đánh bạc", "322", "1", (12, 60), True),
    ("Gây rối trật tự công cộng", "318", "1", (3, 24), True),
    ("Hủy hoại hoặc cố ý làm hư hỏng tài sản", "178", "1", (6, 36), True),
    ("Chứa chấp, tiêu thụ tài sản do người khác phạm tội mà có", "323", "1", (6, 36), True),
    ("Tham ô tài sản", "353", "1", (24, 84), False),
    ("Nhận hối lộ", "354", "1", (24, 84), False),
    ("Làm giả con dấu, tài liệu của cơ quan, tổ chức", "341", "1", (6, 24), True),
    ("Vận chuyển hàng cấm", "191", "1", (12, 60), True),
    ("Buôn lậu", "188", "1", (12, 60), False),
    ("Tàng trữ, sử dụng trái phép vũ khí quân dụng", "304", "1", (12, 84), False),
    ("Cho vay lãi nặng trong giao dịch dân sự", "201", "1", (6, 36), True),
    ("Mua bán người", "150", "1", (60, 120), False),
]

# mitigating (Art. 51) and aggravating (Art. 52) points used in citations
MITIGATING = ["b", "i", "s", "t", "v", "x"]
AGGRAVATING = ["g", "h", "o"]

ETHNIC = ["Kinh"] * 12 + ["Tày", "Thái", "Mường", "Khmer", "Nùng", "H'Mông", "Dao", "Hoa"]
JOBS = ["lao động tự do", "làm ruộng", "công nhân", "buôn bán", "lái xe", "thợ xây", "không",
        "kinh doanh", "nhân viên văn phòng", "thợ sửa xe", "bảo vệ", "nội trợ"]
EDUCATION = ["12/12", "9/12", "7/12", "5/12", "10/12", "đại học", "không biết chữ", "8/12"]
STREETS = ["Trần Duy Hưng", "Nguyễn Trãi", "Lê Lợi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
           "Phan Đình Phùng", "Hùng Vương", "Trần Phú", "Nguyễn Huệ", "Võ Văn Kiệt", "Điện Biên Phủ",
           "Cách Mạng Tháng Tám", "Lê Duẩn", "Nguyễn Văn Cừ", "Bạch Đằng"]
COMMUNE_WORDS = ["Phú", "Tân", "Hòa", "Bình", "An", "Thịnh", "Đông", "Tây", "Nam", "Bắc", "Long",
                 "Thạnh", "Lộc", "Xuân", "Hưng", "Phước", "Mỹ", "Quang", "Minh", "Trung"]
STOLEN_ITEMS = [
    ("01 xe mô tô nhãn hiệu Honda Wave Alpha", 18_500_000),
    ("01 điện thoại di động iPhone 13 Pro Max", 21_000_000),
    ("01 xe mô tô nhãn hiệu Yamaha Exciter", 32_000_000),
    ("01 máy tính xách tay hiệu Dell", 12_300_000),
    ("02 chỉ vàng 9999 và 01 điện thoại Samsung", 14_700_000),
    ("số tiền 45.000.000 đồng", 45_000_000),
    ("01 xe đạp điện và 01 bình ắc quy", 6_200_000),
    ("03 con bò", 54_000_000),
    ("01 sợi dây chuyền vàng 18K", 9_800_000),
    ("dây cáp điện dài 120 mét", 7_400_000),
]
SIGNER_TITLES_COURT = [("TM. HỘI ĐỒNG XÉT XỬ", "THẨM PHÁN - CHỦ TỌA PHIÊN TÒA"),
                       ("TM. HỘI ĐỒNG XÉT XỬ SƠ THẨM", "Thẩm phán - Chủ tọa phiên tòa")]
RELATIONS = ["bố", "mẹ", "vợ", "chồng", "anh trai", "chị gái"]
FOREIGN = [("Wang Li Ming", "Trung Quốc", "E12345678"), ("Kim Sung Ho", "Hàn Quốc", "M87654321"),
           ("Somchai Boonmee", "Thái Lan", "AA1234567"), ("Sok Dara", "Campuchia", "N0456789")]

# ---- wide variation only (corpus/variation.py): names and bodies the default corpus never uses

# given names on rare syllables, every tone mark (ngang, huyền, sắc, hỏi, ngã, nặng), tone marks
# on capital vowels, and both placements of the tone in -uy/-oa ('Thuỵ' and 'Thụy', 'Hoà' and 'Hòa')
RARE_GIVEN_M = ["Tỵ", "Ngữ", "Khuê", "Thuỵ", "Thụy", "Quỳnh", "Hưởng", "Ỷ", "Khuyến", "Tuệ", "Toản", "Ngoạn",
                "Doãn", "Khởi", "Sỹ", "Kỷ", "Tiễn", "Ẩn", "Ước", "Ất", "Ổn", "Dưỡng", "Hoà", "Hòa", "Thoả",
                "Khoát", "Quý", "Quí", "Nhượng", "Uy", "Ỳ", "Giỏi", "Tưởng", "Thưởng", "Đễ", "Nhuận", "Oánh"]
RARE_GIVEN_F = ["Quỳnh", "Hưởng", "Khuê", "Thuỵ", "Thụy", "Ỷ", "Nguyệt", "Huệ", "Thuý", "Thúy", "Hoà", "Hòa",
                "Diễm", "Mỹ", "Nhạn", "Yểu", "Ánh", "Ẩn", "Xoan", "Tỵ", "Ngữ", "Uyển", "Thoả", "Hạnh", "Khuyên",
                "Ngoãn", "Nhụy", "Nhuỵ", "Oanh", "Ửng"]
RARE_MIDDLE_M = ["Văn", "Hữu", "Doãn", "Khắc", "Bá", "Ngọc", "Viết", "Duy", "Đăng", "Thế"]
RARE_MIDDLE_F = ["Thị", "Thị Ngọc", "Ngọc", "Thị Thu", "Thị Thuỵ", "Thị Thụy", "Nữ", "Diệu", "Thị Mỹ"]
# family names not in SURNAMES, and double family names of long (4-5 syllable) names
RARE_SURNAMES = ["Khúc", "Ông", "Ứng", "Âu", "Ưng", "Mạc", "Khổng", "Giáp", "Nghiêm", "Thái", "Doãn", "Kiều",
                 "Lữ", "Tôn", "Diệp", "Phí", "Thân", "Văn", "Ninh", "Hứa", "Ôn"]
DOUBLE_SURNAMES = ["Nguyễn Lê", "Trần Nguyễn", "Tôn Thất", "Tôn Nữ", "Lê Trần", "Phạm Huỳnh", "Hoàng Trọng",
                   "Nguyễn Phước", "Đỗ Lê", "Huỳnh Ngọc", "Trương Công", "Âu Dương"]
LONG_MIDDLE = ["Thị Ngọc", "Hoàng Bảo", "Minh Quốc", "Thị Thuỵ", "Thị Thụy", "Ngọc Phương", "Quốc Bảo",
               "Thị Mỹ", "Hữu Khánh", "Đăng Khoa", "Thị Kim", "Văn Thiện"]
# names of ethnic minorities: (name, sex, ethnicity); ethnicity as the document writes it
MINORITY_NAMES = [
    ("Hoàng Văn Páo", "M", "Nùng"), ("Lò Thị Xuân", "F", "Thái"), ("Sùng A Chứ", "M", "H'Mông"),
    ("Y Bhăm Êban", "M", "Ê Đê"), ("Ksor H'Nhi", "F", "Gia Rai"), ("Thào Mí Sính", "M", "H'Mông"),
    ("Giàng A Pháo", "M", "H'Mông"), ("Vàng Thị Mỷ", "F", "H'Mông"), ("Lầu Seo Chảo", "M", "H'Mông"),
    ("Hầu A Lử", "M", "H'Mông"), ("Mùa A Dế", "M", "H'Mông"), ("Sùng Thị Dợ", "F", "H'Mông"),
    ("Lò Văn Pẻng", "M", "Thái"), ("Quàng Văn Hặc", "M", "Thái"), ("Lường Thị Ỏn", "F", "Thái"),
    ("Cầm Văn Ỉn", "M", "Thái"), ("Nông Thị Nhình", "F", "Tày"), ("Nông Văn Thưởng", "M", "Tày"),
    ("Hà Văn Khẩm", "M", "Mường"), ("Bàn Văn Sảng", "M", "Dao"), ("Triệu Tài Vần", "M", "Dao"),
    ("Đặng Thị Nhầy", "F", "Dao"), ("H'Hen Niê", "F", "Ê Đê"), ("Y Moan Ênuôl", "M", "Ê Đê"),
    ("Y Thuột Byă", "M", "Ê Đê"), ("Rơ Châm Ních", "M", "Gia Rai"), ("Siu H'Ly", "F", "Gia Rai"),
    ("Thạch Sô Phanh", "M", "Khmer"), ("Danh Tha", "M", "Khmer"), ("Thạch Thị Sa Rin", "F", "Khmer"),
    ("Sơn Thị Sóc Khơ", "F", "Khmer"), ("Lâm Sà Rết", "M", "Khmer"), ("Trương Á Sáng", "M", "Hoa"),
]
# provinces of Viet Nam from 1 July 2025 (Resolution 202/2025/QH15): an old province's short name ->
# the province it merged into, as body text names it; provinces not listed kept their name
MERGED_2025 = {
    "Hà Giang": "tỉnh Tuyên Quang", "Bắc Giang": "tỉnh Bắc Ninh", "Hải Dương": "thành phố Hải Phòng",
    "Thái Bình": "tỉnh Hưng Yên", "Nam Định": "tỉnh Ninh Bình", "Quảng Bình": "tỉnh Quảng Trị",
    "Thừa Thiên Huế": "thành phố Huế", "Quảng Nam": "thành phố Đà Nẵng", "Bình Định": "tỉnh Gia Lai",
    "Bình Phước": "tỉnh Đồng Nai", "Bình Dương": "Thành phố Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu": "Thành phố Hồ Chí Minh", "Long An": "tỉnh Tây Ninh", "Tiền Giang": "tỉnh Đồng Tháp",
    "Bến Tre": "tỉnh Vĩnh Long", "Kiên Giang": "tỉnh An Giang",
}
# regional people's courts (from 1 July 2025) per province: how many a province has (a prudent
# lower bound: numbers above it may not exist)
REGIONAL_COURTS = {"Hà Nội": 12, "Thành phố Hồ Chí Minh": 17, "Hải Phòng": 6, "Đà Nẵng": 5, "Cần Thơ": 4}
REGIONAL_COURTS_OTHER = 4
MARGIN_NOTES = ["Đã đối chiếu", "Lưu HS", "Sao y", "BS", "Đã nhận bản chính", "Chuyển Phòng HS", "Đ/c kiểm tra lại",
                "Đã vào sổ", "Photo 02 bản", "Trả lại", "Xem lại ngày", "Hồ sơ số 2"]
