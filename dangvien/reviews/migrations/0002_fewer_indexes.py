"""The review's two keys lose their own indexes: one_review_a_period (period, member) and
review_member_idx (member, period) lead with them (issue 9: 300 MB at national size, on
every write and bulk load). The database side drops the indexes by name (the same on
PostgreSQL and SQLite); the foreign keys stay as they are, not dropped and checked again
over 11 million rows as Django's AlterField would.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_fewer_indexes"),
        ("reviews", "0001_quality_review"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "reviews_memberreview_member_id_a4f62a9e"',
                    'CREATE INDEX "reviews_memberreview_member_id_a4f62a9e" '
                    'ON "reviews_memberreview" ("member_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "reviews_memberreview_period_id_93768ddd"',
                    'CREATE INDEX "reviews_memberreview_period_id_93768ddd" '
                    'ON "reviews_memberreview" ("period_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="memberreview",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="members.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberreview",
                    name="period",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="reviews.reviewperiod",
                    ),
                ),
            ],
        ),
    ]
