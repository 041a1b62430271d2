# Authenticator-app secrets encrypted at rest (issue 9; OWASP ASVS 5.0 V11.3, V14.2).
#
# django-otp's TOTPDevice keeps each secret as plain hex in otp_totp_totpdevice.key: anyone
# reading the database or a backup could make every user's codes. This creates
# accounts.AuthenticatorApp (the same columns, the key an EncryptedTextField), moves every
# existing device into it (the key encrypted under the current FIELD_ENCRYPTION_KEYS key)
# and deletes the plain rows. The historical model's key is the real
# dangvien.core.fields.EncryptedTextField, so saving through apps.get_model encrypts.
#
# A user keeps their authenticator app: the secret, the last accepted step (a code used
# before the move is still refused), the drift, the throttle and the timestamps move
# with it. A session that passed the second factor on an old device named it by its
# persistent id ("otp_totp.totpdevice/<id>"), which no longer finds a row: that session
# simply asks for the second factor again. Reversible (the key decrypted back).

import dangvien.accounts.models
import dangvien.core.fields
import django.db.models.deletion
import django_otp.plugins.otp_totp.models
from django.conf import settings
from django.db import migrations, models


BATCH = 1000
COLUMNS = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def _move(source, target):
    """Copy every row of ``source`` into ``target`` (the key: plain hex on one side, the
    encrypted field on the other; the field classes convert), then delete the source rows.
    created_at is auto_now_add, which an insert would overwrite: bulk_update puts it back."""
    last = 0
    while True:
        rows = list(source.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        made = target.objects.bulk_create(
            target(**{column: getattr(row, column) for column in COLUMNS}) for row in rows
        )
        for new, row in zip(made, rows):
            new.created_at = row.created_at
        target.objects.bulk_update(made, ["created_at"])
    source.objects.all().delete()


def move_to_authenticator_apps(apps, schema_editor):
    _move(apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("accounts", "AuthenticatorApp"))


def move_back_to_totp_devices(apps, schema_editor):
    _move(apps.get_model("accounts", "AuthenticatorApp"), apps.get_model("otp_totp", "TOTPDevice"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_second_factor_exemption_demo_mark'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthenticatorApp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', dangvien.core.fields.EncryptedTextField(default=dangvien.accounts.models.default_totp_key, validators=[django_otp.plugins.otp_totp.models.key_validator], verbose_name='khóa bí mật (mã hóa)')),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'ứng dụng xác thực',
                'verbose_name_plural': 'ứng dụng xác thực',
                'abstract': False,
            },
        ),
        migrations.RunPython(move_to_authenticator_apps, move_back_to_totp_devices),
    ]
