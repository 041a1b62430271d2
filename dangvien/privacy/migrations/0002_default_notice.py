"""The default notice of processing, version 1.0 (Nghị định 13/2023/NĐ-CP Điều 13: purpose,
kinds of data, how they are processed, who else takes part, unwanted consequences, start
and end of processing; and the rights of Điều 9).

Applies from 1/7/2023, the day the decree came into force. The retention it states
follows the Party's rules on keeping members' records and the Luật Lưu trữ [U]: the exact
periods are not written in the text on purpose. A branch shows it to the person (printed
from /du-lieu-ca-nhan/thong-bao/) before they sign the consent form.
"""

from datetime import date

from django.db import migrations

VERSION = "1.0"
TITLE = "Thông báo về việc xử lý dữ liệu cá nhân trong công tác phát triển đảng viên"
TEXT = """\
1. Mục đích xử lý
Dữ liệu cá nhân của người được chi bộ giới thiệu vào nguồn quần chúng ưu tú được xử lý để bồi dưỡng, thẩm tra lý lịch, xem xét kết nạp vào Đảng; sau khi kết nạp, để theo dõi đảng viên dự bị, công nhận đảng viên chính thức và quản lý hồ sơ đảng viên, theo Điều lệ Đảng Cộng sản Việt Nam, Quy định thi hành Điều lệ Đảng và Hướng dẫn số 12-HD/BTCTW của Ban Tổ chức Trung ương về một số vấn đề cụ thể về nghiệp vụ công tác đảng viên. Dữ liệu không được dùng vào mục đích khác.

2. Loại dữ liệu cá nhân được xử lý
a) Dữ liệu cá nhân cơ bản: họ và tên, ngày sinh, giới tính, số định danh cá nhân (căn cước), dân tộc, quê quán, nơi ở, số điện thoại, trình độ học vấn, lý luận chính trị, nghề nghiệp, quá trình học tập và công tác, khen thưởng, kỷ luật, kết quả học tập lớp bồi dưỡng nhận thức về Đảng.
b) Dữ liệu cá nhân nhạy cảm: quan điểm chính trị (việc đề nghị kết nạp, là đảng viên), tôn giáo; hoàn cảnh, lịch sử gia đình và các mối quan hệ gia đình khai trong lý lịch; kết quả thẩm tra lý lịch; tình trạng sức khỏe khi xét miễn công tác và sinh hoạt đảng.

3. Cách thức xử lý
Thu thập từ đơn xin vào Đảng, lý lịch, các văn bản của người đó và kết quả thẩm tra; ghi, lưu trữ, tra cứu và lập văn bản trên hệ thống quản lý của cơ quan Đảng. Số định danh cá nhân và hoàn cảnh gia đình được mã hóa khi lưu trữ; mỗi lần xem, trích xuất hay tải hồ sơ đều được ghi nhật ký.

4. Tổ chức xử lý
Chi bộ theo dõi, bồi dưỡng người đó; đảng ủy cơ sở và cấp ủy có thẩm quyền xem xét, quyết định kết nạp; ban tổ chức và ủy ban kiểm tra cấp ủy cấp trên trong phạm vi nhiệm vụ. Dữ liệu không được chuyển cho tổ chức, cá nhân bên ngoài các tổ chức đảng nêu trên và không được chuyển ra nước ngoài.

5. Thời gian xử lý và lưu trữ
Bắt đầu từ khi người đó được đưa vào danh sách quần chúng ưu tú. Hồ sơ kết nạp và hồ sơ đảng viên được lưu trữ theo quy định của Đảng về quản lý hồ sơ đảng viên và quy định của pháp luật về lưu trữ; khi hết thời hạn lưu trữ, dữ liệu được xử lý theo các quy định đó.

6. Hậu quả, thiệt hại không mong muốn có thể xảy ra
Dữ liệu có thể bị lộ, lọt nếu bị truy cập trái phép. Hệ thống phân quyền theo tổ chức đảng, mã hóa dữ liệu nhạy cảm, ghi nhật ký mọi lần truy cập và đóng dấu người trích xuất trên mọi tệp xuất ra để phòng ngừa.

7. Quyền của người có dữ liệu (Điều 9 Nghị định 13/2023/NĐ-CP)
Được biết về việc xử lý dữ liệu của mình; đồng ý hoặc không đồng ý; xem, nhận bản sao dữ liệu; yêu cầu chỉnh sửa; rút lại sự đồng ý; yêu cầu xóa, hạn chế xử lý; phản đối xử lý; khiếu nại, tố cáo, khởi kiện và yêu cầu bồi thường thiệt hại theo quy định. Việc rút lại sự đồng ý không làm mất hiệu lực của việc xử lý đã thực hiện trước đó và không làm mất những hồ sơ mà tổ chức đảng phải lưu giữ theo quy định.

8. Cách gửi yêu cầu
Người có dữ liệu gửi yêu cầu đến chi bộ nơi mình được theo dõi hoặc sinh hoạt (trực tiếp hoặc bằng văn bản). Yêu cầu được trả lời trong thời hạn 72 giờ kể từ khi tiếp nhận, trừ trường hợp pháp luật quy định khác."""


def seed(apps, schema_editor):
    Notice = apps.get_model("privacy", "Notice")
    Notice.objects.get_or_create(
        version=VERSION, defaults={"title": TITLE, "text": TEXT, "from_on": date(2023, 7, 1)}
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_consent_and_requests")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
