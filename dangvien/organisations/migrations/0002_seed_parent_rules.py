"""Which kind of node may sit under which: the 2025 three-level layout (province → commune
→ grassroots → branch, 294-QĐ/TW) and the older four-level one with districts, both."""

from django.db import migrations

RULES = [
    ("", "province"),
    ("", "bloc"),
    ("province", "bloc"),
    ("province", "district"),
    ("province", "commune"),
    ("province", "grassroots_committee"),
    ("province", "grassroots_branch"),
    ("bloc", "grassroots_committee"),
    ("bloc", "grassroots_branch"),
    ("district", "grassroots_committee"),
    ("district", "grassroots_branch"),
    ("commune", "grassroots_committee"),
    ("commune", "grassroots_branch"),
    ("commune", "branch"),
    ("grassroots_committee", "sub_committee"),
    ("grassroots_committee", "branch"),
    ("sub_committee", "branch"),
]


def seed(apps, schema_editor):
    ParentRule = apps.get_model("organisations", "ParentRule")
    for parent_kind, child_kind in RULES:
        ParentRule.objects.get_or_create(parent_kind=parent_kind, child_kind=child_kind)


def unseed(apps, schema_editor):
    apps.get_model("organisations", "ParentRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
