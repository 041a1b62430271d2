"""A partial index of the "failed" ratings decided, by the branch that gave them
(``reviews.queries.removal.failed_running``; issue 9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_fewer_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="memberreview",
            index=models.Index(
                condition=models.Q(
                    ("decided_rating", "failed"), ("stage__in", ["decided", "published"])
                ),
                fields=["period", "org_path"],
                include=("member",),
                name="review_failed_path_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
