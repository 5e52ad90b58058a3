"""Key rotation for the free text encrypted at rest (see incidents/fields.py).

Works on the stored tokens with raw SQL in batches, one transaction per batch: a
token is re-encrypted under the newest key by ``MultiFernet.rotate`` and the
search digests are recomputed, without loading rows as models or touching
``updated_at``. Safe to stop and run again: every batch leaves rows readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from incidents.fields import DigestField, EncryptedMixin, decrypt, rotate, search_digests


@dataclass(frozen=True)
class EncryptedTable:
    table: str
    columns: tuple[str, ...]
    # (digest column, the encrypted column it is computed from)
    digests: tuple[tuple[str, str], ...]


def encrypted_tables() -> Iterator[EncryptedTable]:
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        # A concrete field always has its column (Field.column is None only for others).
        columns = tuple(f.column for f in fields if isinstance(f, EncryptedMixin) and f.column)
        if not columns:
            continue
        by_name = {f.name: f.column for f in fields if f.column}
        digests = tuple((f.column, by_name[f.source]) for f in fields if isinstance(f, DigestField) and f.column)
        yield EncryptedTable(model._meta.db_table, columns, digests)


def _select(table: EncryptedTable, batch_size: int, *, lock: bool = False) -> str:
    quote = connection.ops.quote_name
    sql = (
        f"SELECT id, {', '.join(quote(c) for c in table.columns)} FROM {quote(table.table)} "  # noqa: S608 model names, quoted
        f"WHERE id > %s ORDER BY id LIMIT {int(batch_size)}"
    )
    return sql + (" FOR UPDATE" if lock and connection.features.has_select_for_update else "")


def _batches(table: EncryptedTable, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    select = _select(table, batch_size)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def fields_reencrypt(*, batch_size: int = 1000) -> dict[str, int]:
    """Re-encrypt every stored value under the newest key. Returns values rewritten per table.

    Each batch is read and rewritten in one transaction with its rows locked, so an edit,
    an answer or an anonymisation made meanwhile waits for the batch and is never overwritten
    with the value it replaced (SQLite's IMMEDIATE transactions lock the database instead).
    """
    quote = connection.ops.quote_name
    rewritten: dict[str, int] = {}
    for table in encrypted_tables():
        select = _select(table, batch_size, lock=True)
        targets = [*table.columns, *(digest for digest, _ in table.digests)]
        update = f"UPDATE {quote(table.table)} SET {', '.join(f'{quote(c)} = %s' for c in targets)} WHERE id = %s"  # noqa: S608 model names, quoted; values bound
        count = 0
        last = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last])
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = []
                for pk, *tokens in rows:
                    values = dict(zip(table.columns, tokens, strict=True))
                    new = [rotate(token) if token else token for token in tokens]
                    for _, source in table.digests:
                        token = values[source]
                        new.append(search_digests(decrypt(token))[0] if token else "")
                    count += sum(1 for token in tokens if token)
                    updates.append([*new, pk])
                cursor.executemany(update, updates)
            last = rows[-1][0]
        rewritten[table.table] = count
    return rewritten


def fields_not_under_newest_key() -> dict[str, int]:
    """Stored values the newest key alone cannot read, per table: all zero once rotation is done."""
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    stale: dict[str, int] = {}
    for table in encrypted_tables():
        count = 0
        for rows in _batches(table, 5000):
            for _, *tokens in rows:
                for token in tokens:
                    if not token:
                        continue
                    try:
                        newest.decrypt(token.encode())
                    except InvalidToken:
                        count += 1
        stale[table.table] = count
    return stale
