"""The member's page reads the member's gaps once for the party age, the records panel
and the dues lines (issue 9: CPU per request), and still counts them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Gap

pytestmark = pytest.mark.django_db


def test_the_member_page_reads_the_gaps_once_and_counts_them(client, tree):
    member = make_member(branch=tree["village"], admitted_on=date(2000, 3, 1))
    Gap.objects.create(
        member=member, from_on=date(2005, 1, 1), until_on=date(2007, 1, 1), reason="Thử"
    )
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("members:detail", args=[member.pk]))
    assert page.status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if '"members_gap"' in q["sql"]]
    assert len(reads) == 1, reads
    assert "Tổng cộng 730 ngày" in page.content.decode()  # the two years out, in days


def test_the_consent_card_knows_the_members_branch_without_reading_the_member_again(client, tree):
    member = make_member(branch=tree["village"])
    url = reverse("members:detail", args=[member.pk])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    with CaptureQueriesContext(connection) as captured:
        text = client.get(url).content.decode()
    assert "Ghi nhận sự đồng ý" in text  # the chi bộ records the consent
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "members_member"' in q["sql"]]
    assert len(reads) == 1, reads
    client.force_login(user_with_role(Role.LEADER, tree["commune"]))
    text = client.get(url).content.decode()
    assert 'id="personal-data"' in text and "Ghi nhận sự đồng ý" not in text
