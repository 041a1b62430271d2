"""Which body issues each form for a chi bộ, and how it signs (36-HD/VPTW 2018; issue 8)."""

from datetime import date

import pytest

from dangvien.core.models import RuleParameter
from dangvien.documents import issuers
from dangvien.documents.forms import Form, find_form
from dangvien.factories import org
from dangvien.organisations.models import Kind, Organisation

Tree = dict[str, Organisation]


def form(code: str) -> Form:
    found = find_form(code)
    assert found is not None
    return found


@pytest.fixture
def sub_branch(tree: Tree) -> Organisation:
    """A chi bộ under a đảng ủy bộ phận inside the school's đảng bộ cơ sở."""
    sub = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận Khối Chuyên môn")
    return org(Kind.BRANCH, sub, name="Chi bộ Tổ Văn")


def test_a_commune_signs_as_its_dang_uy_in_capitals(tree: Tree) -> None:
    assert issuers.body_name(tree["commune"]) == "ĐẢNG ỦY XÃ AN BÌNH"
    assert issuers.body_label(tree["commune"]) == "Đảng ủy xã An Bình"


def test_a_chi_bo_signs_as_itself(tree: Tree) -> None:
    assert issuers.body_name(tree["village"]) == "CHI BỘ THÔN ĐÔNG"
    bare = org(Kind.BRANCH, tree["commune"], name="Thôn 1")
    assert issuers.body_name(bare) == "CHI BỘ THÔN 1"


def test_a_province_named_as_a_dang_bo_signs_as_tinh_uy(tree: Tree) -> None:
    assert issuers.body_name(tree["province"]) == "TỈNH ỦY THỬ NGHIỆM"
    other = org(Kind.PROVINCE, None, name="Đảng bộ tỉnh Hà Giang")
    assert issuers.body_name(other) == "TỈNH ỦY HÀ GIANG"
    city = org(Kind.PROVINCE, None, name="Đảng bộ thành phố Hải Phòng")
    assert issuers.body_name(city) == "THÀNH ỦY HẢI PHÒNG"


def test_a_grassroots_committee_signs_as_its_dang_uy(tree: Tree) -> None:
    assert issuers.body_name(tree["school"]) == "ĐẢNG ỦY TRƯỜNG THPT AN BÌNH"


def test_the_recorded_document_name_wins_over_the_derived_one(tree: Tree) -> None:
    commune = tree["commune"]
    commune.document_name = "Đảng ủy xã An Bình mới"
    assert issuers.body_name(commune) == "ĐẢNG ỦY XÃ AN BÌNH MỚI"


def test_the_line_above_names_the_dang_bo_of_the_parent(tree: Tree) -> None:
    assert issuers.parent_body(tree["village"]) == "ĐẢNG BỘ XÃ AN BÌNH"
    assert issuers.parent_body(tree["commune"]) == "ĐẢNG BỘ TỈNH THỬ NGHIỆM"
    assert issuers.parent_body(tree["school_branch"]) == "ĐẢNG BỘ TRƯỜNG THPT AN BÌNH"


def test_the_root_has_no_line_above(tree: Tree) -> None:
    assert issuers.parent_body(tree["province"]) == ""


def test_the_symbol_follows_the_kind_unless_recorded(tree: Tree, sub_branch: Organisation) -> None:
    assert issuers.symbol(tree["village"]) == "CB"
    assert issuers.symbol(tree["clinic"]) == "CB"
    assert issuers.symbol(tree["commune"]) == "ĐU"
    assert issuers.symbol(tree["school"]) == "ĐU"
    assert issuers.symbol(tree["province"]) == "TU"
    assert sub_branch.parent is not None
    assert issuers.symbol(sub_branch.parent) == "ĐUBP"
    tree["commune"].document_symbol = "ĐUX"
    assert issuers.symbol(tree["commune"]) == "ĐUX"


def test_the_place_comes_from_the_name_of_the_unit_or_above(tree: Tree) -> None:
    assert issuers.place(tree["commune"]) == "An Bình"
    assert issuers.place(tree["village"]) == "An Bình"
    assert issuers.place(tree["school_branch"]) == "An Bình"
    assert issuers.place(tree["province"]) == "Thử Nghiệm"


def test_a_recorded_place_name_is_inherited_below(tree: Tree) -> None:
    commune = tree["commune"]
    commune.place_name = "Xóm Bến"
    commune.save(update_fields=["place_name"])
    village = Organisation.objects.get(pk=tree["village"].pk)
    assert issuers.place(village) == "Xóm Bến"


def test_the_term_is_the_recorded_one_else_the_rule(tree: Tree) -> None:
    day = date(2026, 11, 20)
    assert issuers.term_from(tree["commune"], day) == date(2025, 7, 1)
    RuleParameter.objects.create(
        key="documents.term_start",
        value="2025-10-15",
        effective_from=date(2025, 1, 1),
        organisation=tree["province"],
    )
    assert issuers.term_from(tree["commune"], day) == date(2025, 10, 15)
    tree["commune"].term_started_on = date(2025, 9, 1)
    assert issuers.term_from(tree["commune"], day) == date(2025, 9, 1)


def test_a_chi_bo_document_is_issued_by_the_chi_bo(tree: Tree) -> None:
    assert issuers.issuer_of(form("6-KNĐ"), tree["village"]) == tree["village"]
    assert issuers.issuer_of(form("13-KNĐ"), tree["clinic"]) == tree["clinic"]


def test_the_decision_is_issued_by_the_deciding_committee(tree: Tree) -> None:
    assert issuers.issuer_of(form("9-KNĐ"), tree["village"]) == tree["commune"]
    assert issuers.issuer_of(form("9-KNĐ"), tree["school_branch"]) == tree["commune"]


def test_an_authorised_grassroots_committee_issues_the_decision_itself(tree: Tree) -> None:
    school = tree["school"]
    school.authorised_to_admit = True
    school.save(update_fields=["authorised_to_admit"])
    branch = Organisation.objects.get(pk=tree["school_branch"].pk)
    decision = form("9-KNĐ")
    assert issuers.issuer_of(decision, branch) == school
    assert issuers.signer_title(decision, school) == ("T/M ĐẢNG ỦY", "BÍ THƯ")


def test_the_grassroots_resolution_exists_only_with_an_endorser_between(tree: Tree) -> None:
    resolution = form("8-KNĐ")
    assert issuers.issuer_of(resolution, tree["school_branch"]) == tree["school"]
    assert issuers.applicable(resolution, tree["school_branch"])
    assert issuers.issuer_of(resolution, tree["village"]) is None
    assert not issuers.applicable(resolution, tree["village"])
    assert not issuers.applicable(form("15-KNĐ"), tree["clinic"])


def test_the_sub_committee_report_exists_only_under_a_sub_committee(
    tree: Tree, sub_branch: Organisation
) -> None:
    report = form("7-KNĐ")
    assert issuers.issuer_of(report, sub_branch) == sub_branch.parent
    assert issuers.applicable(report, sub_branch)
    assert issuers.applicable(form("14-KNĐ"), sub_branch)
    assert not issuers.applicable(report, tree["school_branch"])
    assert not issuers.applicable(report, tree["village"])


def test_letters_and_certificates_come_from_the_nearest_committee_above(
    tree: Tree, sub_branch: Organisation
) -> None:
    letter = form("GGT-CT")
    assert issuers.issuer_of(letter, tree["village"]) == tree["commune"]
    assert issuers.issuer_of(letter, tree["clinic"]) == tree["commune"]
    assert issuers.issuer_of(letter, tree["school_branch"]) == tree["school"]
    assert issuers.issuer_of(form("CN-NTVĐ"), sub_branch) == tree["school"]


def test_a_persons_form_has_no_issuing_body_and_always_applies(tree: Tree) -> None:
    application = form("1-KNĐ")
    assert issuers.issuer_of(application, tree["village"]) is None
    assert issuers.applicable(application, tree["village"])
    assert issuers.signer_title(application) == ("", "NGƯỜI LÀM ĐƠN")
    assert issuers.signer_title(form("3-KNĐ")) == ("", "NGƯỜI GIỚI THIỆU")


def test_each_body_signs_on_behalf_of_its_collective(tree: Tree) -> None:
    assert issuers.signer_title(form("6-KNĐ"), tree["village"]) == ("T/M CHI BỘ", "BÍ THƯ")
    assert issuers.signer_title(form("9-KNĐ"), tree["commune"]) == (
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
    )
    assert issuers.signer_title(form("8-KNĐ"), tree["school"]) == ("T/M ĐẢNG ỦY", "BÍ THƯ")
    assert issuers.signer_title(form("GGT-CT"), tree["school"]) == ("T/M ĐẢNG ỦY", "BÍ THƯ")
