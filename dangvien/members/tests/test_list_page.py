"""The member list page: pages in name order, and a name search that matches too many
(issue 9)."""

import pytest

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members import queries
from dangvien.members.models import Member, Status

pytestmark = pytest.mark.django_db


def test_a_name_search_matching_more_than_the_limit_tells_the_user_to_narrow_it(
    client, tree, monkeypatch
):
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 2)
    for _ in range(3):
        make_member(branch=tree["village"], person__family_name="Lương")
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    page = client.get("/dang-vien/", {"q": "luong"}).content.decode()
    assert 'id="capped-notice"' in page
    assert "Có hơn 2 đảng viên khớp với từ khóa tìm kiếm" in page
    assert "Hãy thu hẹp tìm kiếm" in page
    assert page.count('data-label="Họ và tên"') == 2  # the limit, in name order


def test_a_name_search_within_the_limit_shows_no_notice(client, tree, monkeypatch):
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 2)
    for _ in range(2):
        make_member(branch=tree["village"], person__family_name="Lương")
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    for params in ({"q": "luong"}, {}):
        page = client.get("/dang-vien/", params).content.decode()
        assert "capped-notice" not in page and "thu hẹp" not in page


def test_the_notice_comes_with_the_results_when_the_search_box_reloads_them(
    client, tree, monkeypatch
):
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 1)
    for _ in range(2):
        make_member(branch=tree["village"], person__family_name="Lương")
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    part = client.get("/dang-vien/", {"q": "luong"}, HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="results">') and "capped-notice" in part


def test_the_pages_of_the_list_follow_the_names_to_the_last_page(client, tree, monkeypatch):
    """Every page, the last ones read backwards, shows the next slice of the name order."""
    from dangvien.members import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for n in range(10):
        make_member(
            branch=tree["village"],
            person__given_name=["Ánh", "An", "Ân", "Anh", "Ăn"][n % 5],
            status=[Status.OFFICIAL, Status.PROBATIONARY][n % 2],
        )
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    expected = list(Member.objects.order_by("person__sort_key", "pk").values_list("pk", flat=True))
    shown = []
    for number in range(1, 5):
        page = client.get("/dang-vien/", {"page": number}).context["page"]
        shown += [m.pk for m in page.object_list]
    assert shown == expected
