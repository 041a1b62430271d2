"""An organisation's page exports its list of organisations directly under it, with their
counts, to XLSX and CSV (issue 8)."""

import pytest

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.views import CHILD_COLUMNS

pytestmark = pytest.mark.django_db


def _people(tree):
    for _ in range(3):
        make_member(branch=tree["village"])
    make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    make_member(branch=tree["school_branch"])
    make_candidate(branch=tree["village"], stage=Stage.CANDIDATE)


def test_the_children_csv_holds_every_child_with_the_pages_counts(client, tree):
    _people(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    url = f"/to-chuc/{tree['commune'].pk}/"
    page = client.get(url)
    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert rows[0] == [c.title for c in CHILD_COLUMNS]
    shown = [
        [r["org"].name, str(r["official"]), str(r["probationary"]), str(r["candidates"])]
        for r in page.context["rows"]
    ]
    assert [[r[0], *r[2:]] for r in rows[1:]] == shown
    assert ["Chi bộ thôn Đông", "3", "1", "1"] in shown
    assert f"/to-chuc/{tree['commune'].pk}/?export=csv" in page.content.decode()


def test_the_children_xlsx_names_the_node_and_counts_as_numbers(client, tree):
    _people(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = client.get(f"/to-chuc/{tree['commune'].pk}/", {"export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[0][0] == "Tổ chức trực thuộc Đảng bộ xã An Bình"
    assert sheet[1][0] == "Đơn vị: Đảng bộ xã An Bình"
    rows = xlsx_rows(response)
    assert rows[0] == [c.title for c in CHILD_COLUMNS]
    village = next(r for r in rows[1:] if r[0] == "Chi bộ thôn Đông")
    assert village[2:] == [3, 1, 1]


def test_the_children_export_of_an_organisation_outside_the_scope_answers_404(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = client.get(f"/to-chuc/{tree['other_commune'].pk}/", {"export": "csv"})
    assert response.status_code == 404
