"""The member name search reads each matching name within a scope (issue 9; the names
come from ``people.SearchName``): the index becomes (search_text, org_path), the name
first for the exact match, then the path's range."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_member_name_indexes"),
        ("people", "0008_search_names"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="member", name="member_search_idx"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["search_text", "org_path"],
                name="member_name_search_idx",
                opclasses=["varchar_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
