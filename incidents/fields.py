"""Free text that can identify people, encrypted at rest.

Each value is a Fernet token (AES-128-CBC with HMAC-SHA256, ``cryptography``'s
MultiFernet) under the first key of ``FIELD_ENCRYPTION_KEYS``; any key in the list
decrypts, so a new key is added in front and ``manage.py reencrypt_fields`` moves
every row onto it before the old key is dropped. An empty value stays empty, so
"was anything written?" (and the constraints that ask it) still works in SQL.

Ciphertext cannot be searched or grouped, and the statistics never need to: they
read the categorical answers only. The one search staff need, an exact crime
reference, goes through a keyed digest (``DigestField``) instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64 bytes: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        # Never hand ciphertext on as if it were the text, and never guess.
        raise ImproperlyConfigured(
            "A stored value could not be decrypted: FIELD_ENCRYPTION_KEYS lacks the key it was written with."
        ) from error


def rotate(token: str) -> str:
    """The same text under the newest key (no plaintext leaves cryptography's code)."""
    return fernet().rotate(token.encode()).decode()


@lru_cache(maxsize=8)
def _digest_key(key: str) -> bytes:
    """A key for the search digests derived from an encryption key (HKDF), never the key itself."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"assault-log search digest").derive(
        base64.urlsafe_b64decode(key)
    )


def search_digests(text: str) -> list[str]:
    """The keyed digest of ``text`` under every configured key, newest first.

    A row written before a key rotation still matches until ``reencrypt_fields``
    rewrites its digest under the newest key.
    """
    normal = normalise_for_search(text).encode()
    return [hmac.new(_digest_key(key), normal, hashlib.sha256).hexdigest() for key in settings.FIELD_ENCRYPTION_KEYS]


def normalise_for_search(text: str) -> str:
    return "".join(text.split()).upper()


class _EmptyOnlyExact(Exact):
    """``field=""`` works (empty is stored as empty); any other value would never match."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.output_field.name} is encrypted: it can only be compared with ''.")
        return super().get_prep_lookup()


class EncryptedMixin:
    """Encrypts on the way into the database and decrypts on the way out."""

    def get_internal_type(self) -> str:
        # Ciphertext is about 4/3 of the UTF-8 text plus 57 characters: store it as text
        # whatever the field's max_length, which still limits what may be typed.
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]  # a mixin: the Field it is mixed into has it
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        return {"exact": _EmptyOnlyExact, "isnull": IsNull}.get(lookup_name)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A one-line text answer (a one-line input in forms, ``max_length`` enforced)."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A multi-line text answer."""


class DigestField(models.CharField):
    """The keyed digest of another field's text, written whenever the row is saved.

    Lets staff find a row by an exact value (a crime reference) without the value
    being stored readable.
    """

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        # Rows inserted by raw SQL (bulk loads, benchmarks) without a value get "", not NULL.
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False), ("db_default", "")):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        text = getattr(model_instance, self.source) or ""
        value = search_digests(text)[0] if text else ""
        setattr(model_instance, self.attname, value)
        return value
