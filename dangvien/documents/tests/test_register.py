"""The register of outgoing documents: consecutive numbers per body, series and term,
never the same number twice, one number per document (issue 8; 36-HD/VPTW 2018 §II.1)."""

from datetime import date

import pytest

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Stage
from dangvien.core.errors import Conflict, NotAllowed, NotEligible
from dangvien.documents.actions.register import number_document, take_number
from dangvien.documents.forms import find_form
from dangvien.documents.models import IssuedDocument, Register
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]
DAY = date(2026, 3, 10)


@pytest.fixture
def board(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def secretary(tree: Tree) -> User:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


def test_numbers_run_from_one_for_each_body_and_series(tree: Tree, board: User) -> None:
    taken = [
        take_number(tree["commune"], "QĐ", on=DAY, by=board, summary=f"Văn bản {n}")
        for n in range(3)
    ]
    other = take_number(tree["commune"], "CV", on=DAY, by=board, summary="Công văn")
    assert [d.number for d in taken] == [1, 2, 3]
    assert other.number == 1
    assert taken[0].number_text == "01-QĐ/ĐU"
    assert other.number_text == "01-CV/ĐU"
    assert Register.objects.get(organisation=tree["commune"], series="QĐ").last_number == 3


def test_a_new_committee_term_starts_again_from_one(tree: Tree, board: User) -> None:
    commune = tree["commune"]
    commune.term_started_on = date(2020, 10, 1)
    commune.save(update_fields=["term_started_on"])
    first = take_number(commune, "QĐ", on=date(2024, 5, 1), by=board, summary="Cũ")
    commune.term_started_on = date(2025, 7, 1)
    commune.save(update_fields=["term_started_on"])
    second = take_number(commune, "QĐ", on=DAY, by=board, summary="Mới")
    assert (first.number, second.number) == (1, 1)
    assert first.register_id != second.register_id
    assert second.register.term_from == date(2025, 7, 1)


def test_the_term_defaults_to_the_rule_when_the_body_has_not_declared_one(
    tree: Tree, board: User
) -> None:
    issued = take_number(tree["commune"], "TB", on=DAY, by=board, summary="Thông báo")
    assert issued.register.term_from == date(2025, 7, 1)


def test_a_document_made_outside_the_system_needs_its_summary(tree: Tree, board: User) -> None:
    with pytest.raises(NotEligible, match="Cần ghi trích yếu") as error:
        take_number(tree["commune"], "CV", on=DAY, by=board)
    assert error.value.field == "summary"
    assert not IssuedDocument.objects.exists()


def test_a_series_must_be_letters(tree: Tree, board: User) -> None:
    with pytest.raises(NotEligible, match="chỉ gồm chữ cái"):
        take_number(tree["commune"], "Q-1", on=DAY, by=board, summary="x")
    assert not Register.objects.exists()


def test_the_series_is_written_in_upper_case(tree: Tree, board: User) -> None:
    issued = take_number(tree["commune"], "qđ", on=DAY, by=board, summary="x")
    assert issued.symbol == "QĐ/ĐU"


def test_a_user_without_a_role_at_the_body_gets_no_number(tree: Tree, secretary: User) -> None:
    with pytest.raises(NotAllowed, match="không được cấp số"):
        take_number(tree["commune"], "QĐ", on=DAY, by=secretary, summary="x")
    assert not Register.objects.exists()


def test_a_leader_only_reads_the_register(tree: Tree) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    with pytest.raises(NotAllowed):
        take_number(tree["commune"], "QĐ", on=DAY, by=leader, summary="x")


def test_a_branch_secretary_numbers_the_branch_papers(tree: Tree, secretary: User) -> None:
    issued = take_number(tree["village"], "NQ", on=DAY, by=secretary, summary="Nghị quyết")
    assert issued.number_text == "01-NQ/CB"


def test_the_decision_is_numbered_by_the_deciding_committee(tree: Tree, board: User) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    issued = number_document(find_form("9-KNĐ"), candidate, on=DAY, by=board)  # type: ignore[arg-type]
    assert issued.register.organisation == tree["commune"]
    assert (issued.form, issued.candidate, issued.number_text) == ("9-KNĐ", candidate, "01-QĐ/ĐU")
    assert candidate.person.full_name in issued.summary


def test_a_branch_secretary_may_not_number_the_decision(tree: Tree, secretary: User) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    with pytest.raises(NotAllowed):
        number_document(find_form("9-KNĐ"), candidate, on=DAY, by=secretary)  # type: ignore[arg-type]
    assert not IssuedDocument.objects.exists()


def test_the_grassroots_staff_numbers_its_resolution_with_endorse(tree: Tree) -> None:
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    candidate = make_candidate(branch=tree["school_branch"], stage=Stage.BRANCH_PROPOSED)
    issued = number_document(find_form("8-KNĐ"), candidate, on=DAY, by=staff)  # type: ignore[arg-type]
    assert issued.register.organisation == tree["school"]
    assert issued.symbol.startswith("NQ/")


def test_a_form_without_its_body_is_refused(tree: Tree, board: User) -> None:
    """No grassroots đảng ủy between the village branch and the commune: no 8-KNĐ."""
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    with pytest.raises(Conflict, match="không áp dụng"):
        number_document(find_form("8-KNĐ"), candidate, on=DAY, by=board)  # type: ignore[arg-type]


def test_a_form_a_person_writes_takes_no_number(tree: Tree, board: User) -> None:
    candidate = make_candidate(branch=tree["village"])
    with pytest.raises(Conflict, match="không lấy số"):
        number_document(find_form("1-KNĐ"), candidate, on=DAY, by=board)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="không lấy số"):
        take_number(tree["commune"], "ĐN", on=DAY, by=board, form="1-KNĐ")


def test_taking_the_number_of_a_document_again_answers_the_same_number(
    tree: Tree, board: User
) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    form = find_form("9-KNĐ")
    first = number_document(form, candidate, on=DAY, by=board)  # type: ignore[arg-type]
    again = number_document(form, candidate, on=date(2026, 3, 11), by=board)  # type: ignore[arg-type]
    assert again.pk == first.pk and again.number == 1
    assert Register.objects.get().last_number == 1


def test_a_form_of_one_document_per_subject_refuses_an_item(tree: Tree) -> None:
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    candidate = make_candidate(branch=tree["school_branch"], stage=Stage.BRANCH_PROPOSED)
    form = find_form("6-KNĐ")
    issued = number_document(form, candidate, on=DAY, by=staff)  # type: ignore[arg-type]
    assert issued.item == ""
    with pytest.raises(NotEligible, match="chỉ có một văn bản") as error:
        number_document(form, candidate, item="introducer:1", on=DAY, by=staff)  # type: ignore[arg-type]
    assert error.value.field == "item"


def test_a_transfer_letter_is_numbered_per_transfer(tree: Tree, board: User) -> None:
    from dangvien.members.models import Transfer, TransferKind

    member = make_member(branch=tree["village"])
    transfer = Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        from_branch=tree["village"],
        to_name="Chi bộ nơi khác",
        letter_no="",
        issued_on=DAY,
        present_by=DAY,
    )
    form = find_form("GGT-CT")
    issued = number_document(form, member, item=f"transfer:{transfer.pk}", on=DAY, by=board)  # type: ignore[arg-type]
    assert (issued.member, issued.item, issued.symbol) == (
        member,
        f"transfer:{transfer.pk}",
        "GGT/ĐU",
    )
    with pytest.raises(NotEligible, match="Chọn văn bản nào") as error:
        number_document(form, member, item="transfer:999999", on=DAY, by=board)  # type: ignore[arg-type]
    assert error.value.field == "item"


def test_a_number_survives_nothing_when_the_action_fails(tree: Tree, board: User) -> None:
    """A refused take leaves the register untouched: the number is not burnt."""
    take_number(tree["commune"], "QĐ", on=DAY, by=board, summary="Một")
    with pytest.raises(NotEligible):
        take_number(tree["commune"], "QĐ", on=DAY, by=board, summary="x" * 301)
    assert take_number(tree["commune"], "QĐ", on=DAY, by=board, summary="Hai").number == 2
