# Every row has its blind index now (0005): it is required and unique, as the citizen ID
# was before it was encrypted.

from django.db import migrations

import dangvien.core.fields


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_encrypt_existing_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="citizen_id_hmac",
            field=dangvien.core.fields.BlindIndexField(of="citizen_id", unique=True),
        ),
    ]
