"""What an access request hands over (privacy.holdings): every row about the person, none
about anyone else, no derived keys."""

from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.candidates.models import StageChange
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Mentorship
from dangvien.privacy import actions, holdings


def _tables(person: Any) -> dict[str, holdings.Table]:
    return {t.label: t for t in holdings.holdings(person)}


def test_the_person_their_candidacy_and_its_history_are_held(tree: Any) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    candidate = make_candidate(branch=tree["village"])
    StageChange.objects.create(
        candidate=candidate,
        from_stage=candidate.stage,
        to_stage=candidate.stage,
        on=date(2026, 1, 5),
        by=secretary,
        note="Ghi chú",
    )
    actions.record_consent(
        candidate.person, given_on=timezone.localdate(), method="paper", by=secretary
    )
    tables = _tables(candidate.person)
    person = tables["people.person"]
    names = [name for name, _title in person.columns]
    assert "given_name" in names and "citizen_id" in names
    assert "search_text" not in names and "sort_key" not in names
    assert not any(name.endswith("_hmac") for name in names)
    row = dict(zip(names, person.rows[0], strict=True))
    assert row["citizen_id"] == candidate.person.citizen_id  # decrypted, as the page shows
    assert row["sex"] == "Nam"  # the label, not the stored word
    history = tables["candidates.stagechange"]
    assert [
        dict(zip([n for n, _ in history.columns], r, strict=True))["note"] for r in history.rows
    ] == ["Ghi chú"]
    by_column = [n for n, _ in history.columns].index("by")
    assert history.rows[0][by_column] == str(secretary)  # users are named
    assert "privacy.consent" in tables


def test_rows_where_the_person_acts_for_someone_else_are_not_theirs(tree: Any) -> None:
    mentor = make_member(branch=tree["village"])
    mentee = make_member(branch=tree["village"])
    Mentorship.objects.create(member=mentee, mentor=mentor, from_on=date(2026, 1, 1))
    assert "members.mentorship" not in _tables(mentor.person)
    mentee_tables = _tables(mentee.person)
    mentorship = mentee_tables["members.mentorship"]
    mentor_column = [n for n, _ in mentorship.columns].index("mentor")
    assert mentorship.rows[0][mentor_column] == mentor.pk  # an id, not the mentor's name
    assert mentor.person.full_name not in str(mentee_tables)


def test_the_json_copy_is_keyed_by_field_and_stamped() -> None:
    table = holdings.Table(
        label="people.person",
        title="nhân thân",
        columns=[("given_name", "tên"), ("birth_date", "ngày sinh")],
        rows=[["Lan", date(2001, 2, 3)]],
    )

    class Someone:
        pk = 7
        full_name = "Nguyễn Thị Lan"

    body = holdings.as_json(Someone(), [table], watermark="Trích xuất bởi A (a) lúc …")  # type: ignore[arg-type]
    assert body["tables"][0]["rows"] == [{"given_name": "Lan", "birth_date": "2001-02-03"}]
    assert body["tables"][0]["fields"] == {"given_name": "tên", "birth_date": "ngày sinh"}
    assert body["extracted"] == "Trích xuất bởi A (a) lúc …"
