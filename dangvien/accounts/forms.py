"""Forms of the login, second-factor and password pages (Vietnamese labels and messages)."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts


class CodeForm(forms.Form):
    """One field for a 6-digit code from the authenticator app or a backup code."""

    code = forms.CharField(
        label="Mã xác thực",
        max_length=32,
        error_messages={"required": "Nhập mã gồm 6 chữ số trên ứng dụng, hoặc một mã dự phòng."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Current password, then the new one twice (OWASP ASVS 5.0 V6.2.3). The new password
    passes settings.AUTH_PASSWORD_VALIDATORS (accounts/validators.py)."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "Mật khẩu hiện tại không đúng. Hãy nhập lại.",
        "password_mismatch": "Hai lần nhập mật khẩu mới không giống nhau.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mật khẩu hiện tại"
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"
        for name in ("old_password", "new_password1", "new_password2"):
            # Django keeps password fields exactly as typed (strip=False; V6.2.8).
            self.fields[name].error_messages["required"] = "Không được để trống."
        self.fields["new_password1"].help_text = ""
        self.help_texts = password_validators_help_texts()
