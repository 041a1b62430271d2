"""Model fields for personal data encrypted at rest (issue 9; the cipher: ``core/crypto.py``).

``EncryptedTextField``: the column (type text) holds the token of ``crypto.encrypt``; the
model attribute holds the plaintext. Reading a row decrypts (a ``DecryptedText``: a ``str``
that remembers its token, so saving an unchanged value writes the same token again and the
audit trail records no false change); assigning a plain ``str`` means "encrypt this on
save".

``BlindIndexField``: the column holds ``crypto.blind_index(<source plaintext>,
purpose=…)``. It follows its source by itself: assigning the source attribute sets it at
once (``Person(citizen_id="0123…")``, also before ``bulk_create``), and every save and bulk
insert computes it again from the source. ``QuerySet.update()`` of the source and
``bulk_update`` without the index field leave it stale: do not.

Lookups on an encrypted field: ``exact`` and ``in`` on a field with a blind index are
answered by the index (``Person.objects.filter(citizen_id="0123…")`` and
``person__citizen_id__in=[…]`` work and use the unique index); ``isnull``; ``exact`` with
"" (blank). Anything else (contains, startswith, ordering by meaning) cannot work on
ciphertext and is refused (FieldError).
"""

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.query_utils import DeferredAttribute

from dangvien.core import crypto


class DecryptedText(str):
    """A decrypted value as read from the database; ``token`` is what the column holds."""

    token: str


def _decrypted(token: str) -> DecryptedText:
    value = DecryptedText(crypto.decrypt(token))
    value.token = token
    return value


class EncryptedAttribute(DeferredAttribute):
    """The model attribute: assigning a new plaintext refreshes the blind index at once."""

    field: "EncryptedTextField"

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        index = self.field.index_field()
        if index is not None and not isinstance(value, DecryptedText):
            instance.__dict__[index.attname] = index.index_of(value)


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (see the module docstring). ``blind_index`` names the
    ``BlindIndexField`` of the same model that indexes this one, if any."""

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, blind_index: str = "", **kwargs: Any) -> None:
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def index_field(self) -> "BlindIndexField | None":
        if not self.blind_index:
            return None
        field = self.model._meta.get_field(self.blind_index)
        assert isinstance(field, BlindIndexField)
        return field

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return _decrypted(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, DecryptedText):
            return value.token
        if hasattr(value, "resolve_expression"):
            raise FieldError(f"{self.name}: an encrypted field takes a value, not an expression.")
        return crypto.encrypt(self.to_python(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return IndexedExact if self.blind_index else BlankExact
        if lookup_name == "in" and self.blind_index:
            return IndexedIn
        return None  # FieldError: "Unsupported lookup … for EncryptedTextField"

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindIndexAttribute(DeferredAttribute):
    """The index attribute: the model's constructor assigns every field in turn, so an
    empty default must not wipe the index the source's assignment has just written."""

    def __set__(self, instance: Any, value: Any) -> None:
        if value in ("", None) and instance.__dict__.get(self.field.attname):
            return
        instance.__dict__[self.field.attname] = value


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's plaintext (``of``), for exact search. Not shown,
    not edited, not exported: a server computes its own with its own key."""

    descriptor_class = BlindIndexAttribute

    def __init__(self, *args: Any, of: str = "", purpose: str = "", **kwargs: Any) -> None:
        self.of = of
        self.purpose = purpose or of
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("serialize", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        if self.purpose != self.of:
            kwargs["purpose"] = self.purpose
        for key, default in (("max_length", 64), ("editable", False), ("serialize", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def index_of(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.blind_index(str(value), purpose=self.purpose)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = self.index_of(getattr(model_instance, self.of))
        setattr(model_instance, self.attname, value)
        return value


def _index_column(lhs: Any) -> tuple[Col, "BlindIndexField"]:
    if not isinstance(lhs, Col) or not isinstance(lhs.target, EncryptedTextField):
        raise FieldError("An encrypted field is searched by its own column only.")
    index = lhs.target.index_field()
    assert index is not None
    return Col(lhs.alias, index), index


def _plain(value: Any) -> str:
    if hasattr(value, "resolve_expression"):
        raise FieldError("An encrypted field is compared with a value, not an expression.")
    return str(value)


class IndexedExact(Exact):
    """``citizen_id=value`` → ``citizen_id_hmac = blind_index(value)``."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        column, index = _index_column(lhs)
        super().__init__(column, index.index_of(_plain(rhs)) if rhs is not None else None)


class IndexedIn(In):
    """``citizen_id__in=values`` → ``citizen_id_hmac IN (blind indexes)``."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        column, index = _index_column(lhs)
        if hasattr(rhs, "resolve_expression") or isinstance(rhs, str):
            raise FieldError("An encrypted field takes a list of values for __in.")
        super().__init__(column, [index.index_of(_plain(v)) for v in rhs if v is not None])


class BlankExact(Exact):
    """An encrypted field without an index can only be compared with "" (blank)."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise FieldError("An encrypted field without a blind index cannot be searched.")
        super().__init__(lhs, rhs)
