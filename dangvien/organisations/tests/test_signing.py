"""How a node signs its documents (36-HD/VPTW): set on the organisation page or the API."""

from datetime import date

import pytest

from dangvien.accounts.models import Role
from dangvien.core.errors import NotEligible
from dangvien.factories import user_with_role
from dangvien.organisations.actions import set_document_signing

pytestmark = pytest.mark.django_db


def test_the_signing_fields_are_saved_with_the_name_in_capitals(tree):
    org = set_document_signing(
        tree["commune"],
        by=None,
        document_name="Đảng ủy xã An Bình",
        document_symbol="đu",
        place_name="An Bình",
        term_started_on=date(2025, 8, 15),
    )
    org.refresh_from_db()
    assert org.document_name == "ĐẢNG ỦY XÃ AN BÌNH"
    assert org.document_symbol == "ĐU"
    assert org.place_name == "An Bình"
    assert org.term_started_on == date(2025, 8, 15)


def test_only_the_fields_passed_change(tree):
    set_document_signing(tree["commune"], by=None, place_name="An Bình")
    org = set_document_signing(tree["commune"], by=None, document_symbol="ĐU")
    assert (org.place_name, org.document_symbol) == ("An Bình", "ĐU")


def test_a_symbol_with_a_slash_is_refused(tree):
    with pytest.raises(NotEligible, match="không có dấu cách, dấu “/”") as refused:
        set_document_signing(tree["commune"], by=None, document_symbol="QĐ/ĐU")
    assert refused.value.field == "document_symbol"


def test_the_page_saves_the_signing_and_refuses_a_bad_date(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    url = f"/to-chuc/{tree['commune'].pk}/the-thuc-van-ban/"
    refused = client.post(url, {"term_started_on": "31/02/2025"})
    assert refused.status_code == 409
    assert "Ngày không hợp lệ" in refused.content.decode()
    saved = client.post(url, {"document_symbol": "ĐU", "term_started_on": "15/08/2025"})
    assert saved.status_code == 302
    tree["commune"].refresh_from_db()
    assert tree["commune"].term_started_on == date(2025, 8, 15)


def test_a_node_outside_the_scope_answers_404(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    url = f"/to-chuc/{tree['other_commune'].pk}/the-thuc-van-ban/"
    assert client.post(url, {"document_symbol": "ĐU"}).status_code == 404
