"""The five topics of the seed's question bank (Hạ Long 2020, seed 000)."""

from django.db import migrations

TOPICS = [
    ("lich-su-dang", "Lịch sử Đảng Cộng sản Việt Nam"),
    ("dieu-le-dang", "Điều lệ Đảng"),
    ("cuong-linh", "Cương lĩnh xây dựng đất nước trong thời kỳ quá độ lên chủ nghĩa xã hội"),
    ("tu-tuong-ho-chi-minh", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("dong-co-vao-dang", "Động cơ, phương hướng phấn đấu vào Đảng"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("exams", "Topic")
    for position, (code, name) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
