"""Indexes that others already serve are dropped (issue 9: each one costs every write and
every bulk load; at national size the generator's index rebuild is a third of its time):

- the branch key's own index: member_branch_idx (branch, status) leads with it;
- the path's two indexes: LIKE 'prefix%' reads member_scope_idx (org_path
  varchar_pattern_ops, status); one plain index on the path stays, named, for equality
  and order.

Only the indexes change, not the foreign key: the database side drops them by name (the
same names on PostgreSQL and SQLite), so the key is not dropped and checked again over
millions of rows as Django's AlterField would.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_name_search_index"),
        ("organisations", "0005_search_text"),
        ("people", "0008_search_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "members_member_branch_id_7b3cf145"',
                    'CREATE INDEX "members_member_branch_id_7b3cf145" '
                    'ON "members_member" ("branch_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="member",
                    name="branch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="organisations.organisation",
                        verbose_name="chi bộ",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="member",
            name="org_path",
            field=models.CharField(editable=False, max_length=255),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["org_path"], name="member_path_idx"),
        ),
    ]
