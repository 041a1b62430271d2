"""The COPY loader: text escaping, and indexes, constraints and triggers put back as they
were, whichever way it treats foreign keys."""

from typing import Any

import pytest
from django.db import connection, transaction
from psycopg.errors import ForeignKeyViolation

from dangvien.core.text import fold
from dangvien.organisations.models import Organisation, Village
from dangvien.synth.copyio import FLUSH_BYTES, Loader, Table, literal, text
from dangvien.synth.tree import ORGANISATION_COLUMNS, VILLAGE_COLUMNS

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.as_owner,  # generate_nation: a management command, run by the tables' owner
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]
TABLES = ("organisations_organisation", "organisations_village")


def catalogue() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) "
            "UNION ALL SELECT 'trigger', CASE WHEN tgisinternal THEN 'internal' ELSE tgname END, "
            "tgenabled::text FROM pg_trigger WHERE tgrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2, 3",
            [list(TABLES), list(TABLES), list(TABLES)],
        )
        return cursor.fetchall()


def org_row(pk: int, name: str) -> list[str]:
    path = f"{pk:08d}/"
    values = [str(pk), text(name), "province", "\\N", path, "0", "", "f", "\\N", "\\N"]
    return [*values, "", text(fold(name)), ""]  # sort key, folded name, sector


def load(superuser: bool, village_of: int) -> Loader:
    orgs = Table(Organisation, ORGANISATION_COLUMNS)
    villages = Table(Village, VILLAGE_COLUMNS)
    loader = Loader(connection.connection, [orgs, villages], out=lambda line: None)
    loader.prepare("64MB", superuser=superuser)
    orgs.add(org_row(900_001, "Tỉnh ủy\tThử\\nghiệm\nmới"))
    villages.add(["900001", str(village_of), "00900001/", "Thôn Một", "village", "\\N", "t"])
    loader.start()
    loader.stop()
    orgs.max_id, villages.max_id = 900_001, 900_001
    return loader


def test_a_table_counts_its_rows_when_taken_and_is_full_at_the_flush_size() -> None:
    table = Table(Village, VILLAGE_COLUMNS)
    row = ["1", "2", "00000002/", "Thôn Một", "village", "\\N", "t"]
    table.add(row)
    table.add_joined("\t".join(row))
    assert (table.pending, table.rows, table.full) == (2, 0, False)
    assert table.take() == 2 * ("\t".join(row) + table._defaults)
    assert (table.pending, table.rows) == (0, 2)
    while not table.full:
        table.add(row)
    assert len(table.take()) >= FLUSH_BYTES
    assert not table.full


def test_text_values_are_escaped_for_copy() -> None:
    assert text("a\tb\\c\nd\re") == "a\\tb\\\\c\\nd\\re"
    assert literal(None) == "\\N"
    assert literal(True) == "t"
    assert literal({"tên": "Hà\tNội"}) == '{"tên": "Hà\\\\tNội"}'


@pytest.mark.parametrize("superuser", [True, False])
def test_rows_arrive_and_the_tables_are_put_back_as_they_were(superuser: bool) -> None:
    before = catalogue()
    with transaction.atomic():
        connection.ensure_connection()
        loader = load(superuser, village_of=900_001)
        assert catalogue() != before
        loader.restore()
        assert catalogue() == before
        assert Organisation.objects.get(pk=900_001).name == "Tỉnh ủy\tThử\\nghiệm\nmới"
        assert Village.objects.get(pk=900_001).organisation_id == 900_001
        # The sequence moved past the ids written.
        assert Organisation.objects.create(name="Sau", kind="province", path="x").pk > 900_001
        transaction.set_rollback(True)


def test_the_owner_s_way_checks_every_foreign_key() -> None:
    with pytest.raises(ForeignKeyViolation), transaction.atomic():
        connection.ensure_connection()
        load(superuser=False, village_of=123_456_789).restore()


def test_a_table_with_a_column_the_generator_does_not_fill_is_refused() -> None:
    from dangvien.synth.copyio import LoadError

    with pytest.raises(LoadError, match="name"):
        Table(Organisation, ["id", "kind", "path"])
    with pytest.raises(LoadError, match="org_path"):  # has a default, but it is a path copy
        Table(Village, ["id", "organisation_id", "name"])
