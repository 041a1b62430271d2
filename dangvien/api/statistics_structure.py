"""The statistics of record over JSON (issue 6 "Statistics of record"; API.md "Targets and
statistics": ``GET /statistics/structure?organisation=&on=``), plus the flows in a period
and the organisation statistics, on the same queries as the pages
(``stats.queries.structure``, ``.flows``, ``.organisations``). Mounted at the API root.

Dates are ``YYYY-MM-DD``. An organisation outside the user's subtree → 404; without
``organisation`` the top node of the user's scope is used.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day
from dangvien.api.stats_common import national_tops, requested_node
from dangvien.organisations.models import Organisation, Sector
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex
from dangvien.stats.queries import facts
from dangvien.stats.queries.flows import LEAVING, FlowFigures, flows
from dangvien.stats.queries.organisations import OrganisationFigures, organisation_stats
from dangvien.stats.queries.structure import (
    Figures,
    Structure,
    age_key,
    national_structure,
    structure,
)

router = Router(tags=["Chỉ tiêu và thống kê"])

READ_ERRORS = responses(400, 401, 404)
UNCLASSIFIED_KEY = "unclassified"


def _band_name(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low - 1}+"


# ---- structure -------------------------------------------------------------------------


class StructureFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    on: Day | None = Field(None, description="Ngày thống kê YYYY-MM-DD (mặc định hôm nay)")


class GroupOut(Schema):
    name: str = Field(description="Tên dân tộc / tôn giáo như đã ghi")
    count: int


class EthnicityOut(Schema):
    kinh: int
    ethnic_minority: int = Field(description="Dân tộc thiểu số (mọi dân tộc khác Kinh)")
    unknown: int = Field(description="Chưa ghi dân tộc")
    groups: list[GroupOut] = Field(description="Từng dân tộc thiểu số, nhiều nhất trước")


class ReligionOut(Schema):
    none: int = Field(description="Không theo tôn giáo (hoặc chưa ghi)")
    religious: int = Field(description="Theo tôn giáo")
    groups: list[GroupOut] = Field(description="Từng tôn giáo, nhiều nhất trước")


class StructureChildOut(Schema):
    organisation_id: int
    organisation_name: str
    direct: bool = Field(
        description="true: đảng viên sinh hoạt trực tiếp tại chính tổ chức (không qua đơn vị "
        "trực thuộc)"
    )
    total: int
    official: int
    probationary: int
    exempted: int
    temporarily_in: int
    temporarily_out: int


class StructureOut(Schema):
    organisation_id: int
    organisation_name: str
    on: date
    total: int
    official: int = Field(description="Chính thức: ngày chính thức ≤ ngày thống kê")
    probationary: int
    exempted: int = Field(description="Đang được miễn công tác và sinh hoạt đảng")
    temporarily_in: int = Field(description="Sinh hoạt tạm thời tại đây (không tính vào tổng)")
    temporarily_out: int = Field(description="Đang sinh hoạt tạm thời nơi khác (có tính vào tổng)")
    by_sex: dict[str, int] = Field(description="male, female")
    by_age_band: dict[str, int] = Field(description="18-30, 31-40, 41-50, 51-60, 61-70, 70+")
    by_ethnicity: EthnicityOut
    by_religion: ReligionOut
    by_education: dict[str, int] = Field(
        description="Theo Person.education_level; unclassified: chưa ghi"
    )
    by_political_theory: dict[str, int] = Field(description="none, primary, intermediate, advanced")
    by_occupation: dict[str, int] = Field(
        description="Theo nhóm nghề nghiệp; unclassified: chưa phân loại"
    )
    children: list[StructureChildOut]


def _groups(result: Structure, prefix: str) -> list[dict[str, Any]]:
    """Every named group of the node (not only the ones the page names), largest first."""
    found = [
        (result.group_name(prefix, column.split(":", 2)[2]), n)
        for column, n in result.figures.counts.items()
        if column.startswith(f"{prefix}:g:") and n
    ]
    found.sort(key=lambda item: (-item[1], item[0]))
    return [{"name": name, "count": n} for name, n in found]


def _choices(figures: Figures, prefix: str, values: list[str]) -> dict[str, int]:
    out = {value: figures[f"{prefix}:{value}"] for value in values}
    out[UNCLASSIFIED_KEY] = figures[f"{prefix}:"]
    return out


def structure_out(org: Organisation, on: date) -> dict[str, Any]:
    return structure_payload(structure(org, on), org.pk, org.name, on)


def structure_payload(
    result: Structure, organisation_id: int | None, name: str, on: date
) -> dict[str, Any]:
    f = result.figures
    return {
        "organisation_id": organisation_id,
        "organisation_name": name,
        "on": on,
        "total": f.total,
        "official": f.official,
        "probationary": f.probationary,
        "exempted": f.exempted,
        "temporarily_in": f.temporarily_in,
        "temporarily_out": f.temporarily_out,
        "by_sex": {value: f[f"sex:{value}"] for value in Sex.values},
        "by_age_band": {
            _band_name(b.low, b.high): f[age_key(b.low, b.high)] for b in facts.AGE_BANDS
        },
        "by_ethnicity": {
            "kinh": f["eth:kinh"],
            "ethnic_minority": f["eth:minority"],
            "unknown": f["eth:unknown"],
            "groups": _groups(result, "eth"),
        },
        "by_religion": {
            "none": f["rel:none"],
            "religious": f["rel:religious"],
            "groups": _groups(result, "rel"),
        },
        "by_education": _choices(f, "edu", Education.values),
        "by_political_theory": _choices(f, "pol", PoliticalTheory.values),
        "by_occupation": _choices(f, "occ", OccupationGroup.values),
        "children": [
            {
                "organisation_id": child.organisation.pk,
                "organisation_name": child.organisation.name,
                "direct": child.direct,
                "total": child.total,
                "official": child.official,
                "probationary": child.probationary,
                "exempted": child.exempted,
                "temporarily_in": child.temporarily_in,
                "temporarily_out": child.temporarily_out,
            }
            for child in result.children
        ],
    }


@router.get(
    "/statistics/structure",
    response={200: StructureOut, **READ_ERRORS},
    url_name="statistics-structure",
)
def get_structure(request: HttpRequest, filters: Query[StructureFilters]) -> dict[str, Any]:
    """The structure of the members of an organisation's subtree on a day (DOMAIN.md §9;
    11-HD/BTCTW 2021): total, official and probationary; by sex, age band, ethnicity,
    religion, education, political theory level and occupation group; exempted;
    temporarily out (counted in the total) and temporarily in (not counted); and the main
    figures for each direct child.

    A member on a day: ceremony (or the admission decision when no ceremony is recorded) on
    or before it and not left by it, counted at the node they belonged to that day (before
    a permanent transfer received later: the old branch). `on` defaults to today;
    `organisation` to the top node of the user's scope; outside the user's subtree → 404."""
    org = requested_node(user_of(request), filters.organisation)
    return structure_out(org, filters.on or timezone.localdate())


class NationalStructureOut(StructureOut):
    organisation_id: int | None = Field(description="null: toàn quốc / các đơn vị được phân công")  # type: ignore[assignment]


class NationalStructureFilters(Schema):
    on: Day | None = Field(None, description="Ngày thống kê YYYY-MM-DD (mặc định hôm nay)")


@router.get(
    "/statistics/structure/national",
    response={200: NationalStructureOut, **READ_ERRORS},
    url_name="statistics-structure-national",
)
def get_national_structure(
    request: HttpRequest, filters: Query[NationalStructureFilters]
) -> dict[str, Any]:
    """The structure of every top node of the user's scope together, as the page
    `/thong-ke/toan-quoc/co-cau/` (issue 9): the whole country ("Toàn quốc",
    `organisation_id` null) for a user with a role on every province, otherwise "Các đơn
    vị được phân công"; `children` are the top nodes. `on` defaults to today. No scope →
    404."""
    tops, name = national_tops(user_of(request))
    on = filters.on or timezone.localdate()
    return structure_payload(national_structure(tops, on), None, name, on)


# ---- flows -----------------------------------------------------------------------------


class FlowFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    start: Day | None = Field(
        None, alias="from", description="Từ ngày YYYY-MM-DD (mặc định 1/1 năm nay)"
    )
    end: Day | None = Field(None, alias="to", description="Đến ngày YYYY-MM-DD (mặc định hôm nay)")


class FlowFiguresOut(Schema):
    organisation_id: int
    organisation_name: str
    direct: bool = Field(description="true: các đảng viên sinh hoạt trực tiếp tại chính tổ chức")
    at_start: int = Field(description="Đảng viên hết ngày trước kỳ")
    joined: int = Field(description="Kết nạp, tính theo ngày lễ kết nạp trong kỳ")
    transferred_in: int
    deceased: int
    removed: int = Field(description="Xóa tên")
    expelled: int = Field(description="Khai trừ")
    exited: int = Field(description="Cho ra khỏi Đảng")
    left_other: int
    transferred_out: int
    transferred_out_of_system: int = Field(description="trong đó: chuyển ra ngoài hệ thống")
    at_end: int = Field(description="Đảng viên hết ngày cuối kỳ")
    balanced: bool = Field(description="at_start + joined + in − left − out = at_end")
    recognised: int = Field(description="Công nhận chính thức trong kỳ")
    admitted: dict[str, int] = Field(
        description="Quyết định kết nạp trong kỳ: total và youth_union, women, ethnic_minority, "
        "religious, student, private_sector, villages_without_members"
    )


class FlowsOut(FlowFiguresOut):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    children: list[FlowFiguresOut]


def _flow_figures(figures: FlowFigures) -> dict[str, Any]:
    admitted = {"total": 0, **dict.fromkeys(facts.BREAKDOWN_KEYS, 0), **figures.admitted}
    return {
        "organisation_id": figures.organisation.pk,
        "organisation_name": figures.organisation.name,
        "direct": figures.direct,
        "at_start": figures.at_start,
        "joined": figures.joined,
        "transferred_in": figures.transferred_in,
        **{column: figures[column] for column, _status in LEAVING},
        "left_other": figures["left_other"],
        "transferred_out": figures.transferred_out,
        "transferred_out_of_system": figures["transferred_out_of_system"],
        "at_end": figures.at_end,
        "balanced": figures.balanced,
        "recognised": figures.recognised,
        "admitted": admitted,
    }


@router.get(
    "/statistics/flows",
    response={200: FlowsOut, **READ_ERRORS},
    url_name="statistics-flows",
    by_alias=True,
)
def get_flows(request: HttpRequest, filters: Query[FlowFilters]) -> dict[str, Any]:
    """Member flows of an organisation's subtree in a period (DOMAIN.md §9): members at the
    start (the day before `from`) and at the end (`to`), joined (ceremony in the period),
    transferred in and out across the subtree's boundary (a letter to an organisation
    outside the system counts out), deceased, removed, expelled, exited; start + joined +
    in − left − out = end (`balanced`). Also the admission decisions with their breakdowns
    and the members recognised official in the period. The same for each direct child (a
    move between two children is out of one and into the other).

    `from` defaults to 1 January of this year, `to` to today; `to` before `from` → 400."""
    org = requested_node(user_of(request), filters.organisation)
    today = timezone.localdate()
    start = filters.start or date(today.year, 1, 1)
    end = filters.end or today
    if end < start:
        message = "Đến ngày trước từ ngày: chọn lại kỳ thống kê."
        raise ApiError(400, message, fields={"to": message})
    result = flows(org, start, end)
    return {
        **_flow_figures(result.figures),
        "from": start,
        "to": end,
        "children": [_flow_figures(child) for child in result.children],
    }


# ---- organisations ---------------------------------------------------------------------


class OrganisationFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    on: Day | None = Field(None, description="Ngày thống kê YYYY-MM-DD (mặc định hôm nay)")


class OrganisationFiguresOut(Schema):
    organisation_id: int
    organisation_name: str
    direct: bool = Field(description="true: tính tại chính tổ chức (không qua đơn vị trực thuộc)")
    grassroots: int = Field(description="Tổ chức cơ sở đảng (đảng bộ cơ sở và chi bộ cơ sở)")
    by_sector: dict[str, int] = Field(
        description="Tổ chức cơ sở đảng theo loại hình (Organisation.sector); unclassified: "
        "chưa ghi"
    )
    by_form: dict[str, int] = Field(description="grassroots_committee, grassroots_branch")
    sub_committees: int = Field(description="Đảng bộ bộ phận")
    branches: int = Field(description="Chi bộ trực thuộc")
    villages: int = Field(description="Thôn, tổ dân phố đang tồn tại")
    villages_without_members: int = Field(description="trong đó chưa có đảng viên ở đó")
    shared_branches: int = Field(description="Chi bộ phụ trách từ 2 thôn, tổ dân phố trở lên")


class OrganisationStatsOut(OrganisationFiguresOut):
    on: date
    children: list[OrganisationFiguresOut]


def _organisation_figures(figures: OrganisationFigures) -> dict[str, Any]:
    return {
        "organisation_id": figures.organisation.pk,
        "organisation_name": figures.organisation.name,
        "direct": figures.direct,
        "grassroots": figures["grassroots"],
        "by_sector": {
            **{value: figures[f"sector:{value}"] for value in Sector.values},
            UNCLASSIFIED_KEY: figures["sector:"],
        },
        "by_form": {
            "grassroots_committee": figures["form:grassroots_committee"],
            "grassroots_branch": figures["form:grassroots_branch"],
        },
        "sub_committees": figures["sub_committees"],
        "branches": figures["branches"],
        "villages": figures["villages"],
        "villages_without_members": figures["villages_without_members"],
        "shared_branches": figures["shared_branches"],
    }


@router.get(
    "/statistics/organisations",
    response={200: OrganisationStatsOut, **READ_ERRORS},
    url_name="statistics-organisations",
)
def get_organisation_stats(
    request: HttpRequest, filters: Query[OrganisationFilters]
) -> dict[str, Any]:
    """Party organisations of an organisation's subtree (itself included; DOMAIN.md §9):
    grassroots organisations by type (sector) and by form, sub-committees and branches;
    villages and residential groups, those where no member lives on `on`, and branches
    serving two or more of them; the same for each direct child.

    `on` defaults to today; outside the user's subtree → 404."""
    org = requested_node(user_of(request), filters.organisation)
    on = filters.on or timezone.localdate()
    result = organisation_stats(org, on)
    return {
        **_organisation_figures(result.figures),
        "on": on,
        "children": [_organisation_figures(child) for child in result.children],
    }
