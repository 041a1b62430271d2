"""Questions of the demo province's bank (the five topics of seed 000). Written for the
demo from the Party Charter and well-known facts; a real bank is the board's work."""

from typing import Any

SINGLE, MULTIPLE, TRUE_FALSE, SHORT, ESSAY, ORAL = (
    "single",
    "multiple",
    "true_false",
    "short",
    "essay",
    "oral",
)


def _options(*texts: str) -> list[dict[str, str]]:
    return [{"key": "ABCDEF"[i], "text": text} for i, text in enumerate(texts)]


def _rubric(*lines: tuple[str, str]) -> list[dict[str, str]]:
    return [{"criterion": criterion, "points": points} for criterion, points in lines]


# (topic code, difficulty 1–3, type, text, options, answer, rubric, points)
QUESTIONS: list[tuple[str, int, str, str, list[Any], Any, list[Any], str]] = [
    # ---- Lịch sử Đảng ------------------------------------------------------------------
    (
        "lich-su-dang",
        1,
        SINGLE,
        "Đảng Cộng sản Việt Nam được thành lập vào ngày, tháng, năm nào?",
        _options("3/2/1930", "19/5/1930", "2/9/1945", "6/1/1930"),
        "A",
        [],
        "1",
    ),
    (
        "lich-su-dang",
        1,
        SINGLE,
        "Hội nghị thành lập Đảng năm 1930 được tổ chức ở đâu?",
        _options(
            "Quảng Châu (Trung Quốc)",
            "Hương Cảng (Trung Quốc)",
            "Pác Bó (Cao Bằng)",
            "Tân Trào (Tuyên Quang)",
        ),
        "B",
        [],
        "1",
    ),
    (
        "lich-su-dang",
        2,
        SINGLE,
        "Đại hội đại biểu toàn quốc lần thứ VI của Đảng (12/1986) gắn với sự kiện nào?",
        _options(
            "Thống nhất đất nước",
            "Khởi xướng đường lối đổi mới toàn diện",
            "Thông qua Cương lĩnh năm 1991",
            "Gia nhập Tổ chức Thương mại Thế giới",
        ),
        "B",
        [],
        "1",
    ),
    (
        "lich-su-dang",
        2,
        TRUE_FALSE,
        "Đại hội đại biểu toàn quốc lần thứ II của Đảng (1951) quyết định đưa Đảng ra hoạt "
        "động công khai với tên gọi Đảng Lao động Việt Nam.",
        [],
        True,
        [],
        "1",
    ),
    (
        "lich-su-dang",
        2,
        SHORT,
        "Ai là Tổng Bí thư đầu tiên của Đảng?",
        [],
        ["Trần Phú", "Đồng chí Trần Phú"],
        [],
        "1",
    ),
    (
        "lich-su-dang",
        3,
        MULTIPLE,
        "Những văn kiện nào được thông qua tại Hội nghị thành lập Đảng đầu năm 1930?",
        _options(
            "Chánh cương vắn tắt của Đảng",
            "Sách lược vắn tắt của Đảng",
            "Luận cương chính trị tháng 10/1930",
            "Điều lệ vắn tắt của Đảng",
        ),
        ["A", "B", "D"],
        [],
        "1",
    ),
    (
        "lich-su-dang",
        3,
        ESSAY,
        "Trình bày ý nghĩa lịch sử của sự kiện thành lập Đảng Cộng sản Việt Nam.",
        [],
        None,
        _rubric(
            ("Nêu đúng bối cảnh và sự kiện thành lập Đảng", "1.5"),
            ("Phân tích ý nghĩa bước ngoặt đối với cách mạng Việt Nam", "2"),
            ("Liên hệ trách nhiệm của bản thân", "1.5"),
        ),
        "5",
    ),
    # ---- Điều lệ Đảng -------------------------------------------------------------------
    (
        "dieu-le-dang",
        1,
        SINGLE,
        "Theo Điều lệ Đảng, người vào Đảng phải đủ bao nhiêu tuổi (tính theo tháng)?",
        _options("16 tuổi", "18 tuổi", "20 tuổi", "21 tuổi"),
        "B",
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        1,
        SINGLE,
        "Thời gian dự bị của đảng viên mới là bao lâu?",
        _options("6 tháng", "9 tháng", "12 tháng", "18 tháng"),
        "C",
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        1,
        TRUE_FALSE,
        "Người vào Đảng phải được hai đảng viên chính thức giới thiệu (hoặc Ban Chấp hành "
        "Đoàn cơ sở và một đảng viên chính thức, theo quy định).",
        [],
        True,
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        2,
        SINGLE,
        "Chi bộ xét kết nạp đảng viên cần ít nhất bao nhiêu đảng viên chính thức tán thành?",
        _options("Quá một nửa", "Hai phần ba", "Ba phần tư", "Toàn bộ"),
        "B",
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        2,
        TRUE_FALSE,
        "Đảng viên dự bị có quyền biểu quyết, ứng cử và bầu cử cơ quan lãnh đạo của Đảng.",
        [],
        False,
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        2,
        MULTIPLE,
        "Những trường hợp nào chi bộ xem xét, đề nghị xóa tên đảng viên?",
        _options(
            "Bỏ sinh hoạt đảng ba tháng trong năm mà không có lý do chính đáng",
            "Không đóng đảng phí ba tháng trong năm mà không có lý do chính đáng",
            "Được miễn công tác và sinh hoạt đảng vì lý do sức khỏe",
            "Hai năm liền vi phạm tư cách đảng viên",
        ),
        ["A", "B", "D"],
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        2,
        SHORT,
        "Nguyên tắc tổ chức cơ bản của Đảng là nguyên tắc gì?",
        [],
        ["Tập trung dân chủ", "Nguyên tắc tập trung dân chủ"],
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        3,
        SINGLE,
        "Sau khi hết 12 tháng dự bị, chi bộ phải xét công nhận đảng viên chính thức trong "
        "thời hạn bao lâu?",
        _options("15 ngày làm việc", "30 ngày làm việc", "60 ngày làm việc", "90 ngày"),
        "B",
        [],
        "1",
    ),
    (
        "dieu-le-dang",
        3,
        ORAL,
        "Đồng chí hãy nêu nhiệm vụ của đảng viên theo Điều 2 Điều lệ Đảng và liên hệ với "
        "công việc hiện nay của mình.",
        [],
        None,
        _rubric(
            ("Nêu đủ bốn nhiệm vụ của đảng viên", "2"),
            ("Liên hệ cụ thể, đúng đắn với công việc", "2"),
            ("Trình bày mạch lạc, tự tin", "1"),
        ),
        "5",
    ),
    # ---- Cương lĩnh --------------------------------------------------------------------
    (
        "cuong-linh",
        1,
        SINGLE,
        "Cương lĩnh xây dựng đất nước trong thời kỳ quá độ lên chủ nghĩa xã hội (bổ sung, "
        "phát triển năm 2011) được thông qua tại Đại hội nào?",
        _options("Đại hội IX", "Đại hội X", "Đại hội XI", "Đại hội XII"),
        "C",
        [],
        "1",
    ),
    (
        "cuong-linh",
        2,
        MULTIPLE,
        "Theo Cương lĩnh năm 2011, xã hội xã hội chủ nghĩa mà nhân dân ta xây dựng có những "
        "đặc trưng nào sau đây?",
        _options(
            "Dân giàu, nước mạnh, dân chủ, công bằng, văn minh",
            "Do nhân dân làm chủ",
            "Có nền kinh tế phát triển cao dựa trên lực lượng sản xuất hiện đại",
            "Chỉ có một thành phần kinh tế nhà nước",
        ),
        ["A", "B", "C"],
        [],
        "1",
    ),
    (
        "cuong-linh",
        2,
        TRUE_FALSE,
        "Đảng lấy chủ nghĩa Mác – Lênin và tư tưởng Hồ Chí Minh làm nền tảng tư tưởng, kim "
        "chỉ nam cho hành động.",
        [],
        True,
        [],
        "1",
    ),
    (
        "cuong-linh",
        3,
        ESSAY,
        "Phân tích mục tiêu tổng quát khi kết thúc thời kỳ quá độ lên chủ nghĩa xã hội theo "
        "Cương lĩnh năm 2011.",
        [],
        None,
        _rubric(
            ("Nêu đúng mục tiêu tổng quát", "2"),
            ("Phân tích được nội dung chính", "2"),
            ("Liên hệ thực tiễn địa phương", "1"),
        ),
        "5",
    ),
    # ---- Tư tưởng Hồ Chí Minh ------------------------------------------------------------
    (
        "tu-tuong-ho-chi-minh",
        1,
        SINGLE,
        "Chủ tịch Hồ Chí Minh đọc bản Tuyên ngôn độc lập vào ngày nào?",
        _options("19/8/1945", "2/9/1945", "19/12/1946", "7/5/1954"),
        "B",
        [],
        "1",
    ),
    (
        "tu-tuong-ho-chi-minh",
        1,
        SHORT,
        "Tác phẩm \u201cSửa đổi lối làm việc\u201d của Chủ tịch Hồ Chí Minh được viết năm nào?",
        [],
        ["1947", "năm 1947"],
        [],
        "1",
    ),
    (
        "tu-tuong-ho-chi-minh",
        2,
        SINGLE,
        "Chỉ thị nào của Bộ Chính trị khóa XII về đẩy mạnh học tập và làm theo tư tưởng, đạo "
        "đức, phong cách Hồ Chí Minh?",
        _options("Chỉ thị 03-CT/TW", "Chỉ thị 05-CT/TW", "Chỉ thị 28-CT/TW", "Chỉ thị 35-CT/TW"),
        "B",
        [],
        "1",
    ),
    (
        "tu-tuong-ho-chi-minh",
        2,
        MULTIPLE,
        "Những phẩm chất đạo đức cách mạng nào được Chủ tịch Hồ Chí Minh nêu?",
        _options(
            "Cần, kiệm, liêm, chính, chí công vô tư",
            "Yêu thương con người",
            "Tinh thần quốc tế trong sáng",
            "Trung với nước, hiếu với dân",
        ),
        ["A", "B", "C", "D"],
        [],
        "1",
    ),
    (
        "tu-tuong-ho-chi-minh",
        3,
        ORAL,
        "Đồng chí đã học tập và làm theo tấm gương đạo đức Hồ Chí Minh như thế nào trong công "
        "việc và cuộc sống?",
        [],
        None,
        _rubric(
            ("Nêu được việc làm cụ thể", "2"),
            ("Hiểu đúng nội dung tư tưởng, đạo đức", "2"),
            ("Trình bày rõ ràng, thuyết phục", "1"),
        ),
        "5",
    ),
    # ---- Động cơ vào Đảng ---------------------------------------------------------------
    (
        "dong-co-vao-dang",
        1,
        TRUE_FALSE,
        "Động cơ vào Đảng đúng đắn là để phấn đấu cho mục tiêu, lý tưởng của Đảng, phục vụ "
        "Tổ quốc, phục vụ nhân dân.",
        [],
        True,
        [],
        "1",
    ),
    (
        "dong-co-vao-dang",
        2,
        SINGLE,
        "Người vào Đảng phải làm đơn tự nguyện xin vào Đảng và trình bày điều gì trong đơn?",
        _options(
            "Nguyện vọng được bổ nhiệm",
            "Nhận thức về Đảng và động cơ xin vào Đảng",
            "Thành tích của gia đình",
            "Mức thu nhập hiện tại",
        ),
        "B",
        [],
        "1",
    ),
    (
        "dong-co-vao-dang",
        2,
        ESSAY,
        "Đồng chí hãy trình bày động cơ phấn đấu vào Đảng của bản thân và phương hướng rèn "
        "luyện sau khi được kết nạp.",
        [],
        None,
        _rubric(
            ("Động cơ đúng đắn, rõ ràng", "2"),
            ("Phương hướng phấn đấu cụ thể", "2"),
            ("Diễn đạt mạch lạc", "1"),
        ),
        "5",
    ),
    (
        "dong-co-vao-dang",
        3,
        ORAL,
        "Theo đồng chí, đảng viên cần làm gì để giữ gìn tư cách, phòng chống suy thoái về tư "
        "tưởng chính trị, đạo đức, lối sống?",
        [],
        None,
        _rubric(
            ("Nêu được các biểu hiện suy thoái cần phòng tránh", "2"),
            ("Đề xuất việc làm cụ thể của bản thân", "2"),
            ("Trình bày rõ ràng", "1"),
        ),
        "5",
    ),
]
