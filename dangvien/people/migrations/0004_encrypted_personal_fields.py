# Field encryption of personal data (issue 9): the citizen ID column holds a token of
# dangvien.core.crypto.encrypt, found through the keyed index citizen_id_hmac; family
# background is encrypted too. The index starts nullable: 0005 fills it, 0006 tightens it.

import django.core.validators
from django.db import migrations

import dangvien.core.fields


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0003_family_background"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="citizen_id_hmac",
            field=dangvien.core.fields.BlindIndexField(null=True, of="citizen_id"),
        ),
        migrations.AlterField(
            model_name="person",
            name="citizen_id",
            field=dangvien.core.fields.EncryptedTextField(
                blind_index="citizen_id_hmac",
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\d{12}$", "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."
                    )
                ],
                verbose_name="số CCCD",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="family_background",
            field=dangvien.core.fields.EncryptedTextField(
                blank=True, verbose_name="hoàn cảnh, lịch sử gia đình"
            ),
        ),
    ]
