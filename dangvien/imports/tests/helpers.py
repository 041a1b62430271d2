"""Files and jobs for the imports tests."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangvien.imports import actions
from dangvien.imports.models import ImportJob
from dangvien.organisations.models import Organisation

MEMBER_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Trình độ học vấn",
    "Dân tộc",
    "Chi bộ",
    "Trạng thái",
    "Ngày kết nạp",
    "Ngày lễ kết nạp",
    "Ngày chính thức",
    "Số thẻ đảng viên",
]
CANDIDATE_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Trình độ học vấn",
    "Chi bộ",
    "Ngày đưa vào nguồn",
    "Đoàn viên",
]


def member_row(n: int, branch: str = "Chi bộ thôn Đông", **over: str) -> list[str]:
    row = {
        "name": f"Nguyễn Văn Anh{n}",
        "birth": "05/03/1980",
        "sex": "Nam",
        "cid": f"{n:012d}",
        "edu": "Đại học",
        "eth": "Kinh",
        "branch": branch,
        "status": "Chính thức",
        "admitted": "03/02/2005",
        "ceremony": "20/02/2005",
        "official": "20/02/2006",
        "card": "",
    }
    row.update(over)
    return list(row.values())


def candidate_row(n: int, branch: str = "Chi bộ thôn Đông", **over: str) -> list[str]:
    row = {
        "name": f"Trần Thị Bích{n}",
        "birth": "12/08/2000",
        "sex": "Nữ",
        "cid": f"{n:012d}",
        "edu": "Trung học phổ thông",
        "branch": branch,
        "listed": "15/01/2026",
        "youth": "Có",
    }
    row.update(over)
    return list(row.values())


def csv_upload(header: list[str], rows: list[list[str]], name: str = "danh-sach.csv") -> Any:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_upload(header: list[str], rows: list[list[Any]], name: str = "danh-sach.xlsx") -> Any:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def uploaded(
    kind: str, org: Organisation, by: Any, header: list[str], rows: list[list[str]], **kw: Any
) -> ImportJob:
    return actions.create_job(kind, org, csv_upload(header, rows, **kw), by=by)


def checked(job: ImportJob, by: Any) -> ImportJob:
    actions.start_dry_run(job, by=by)
    job.refresh_from_db()
    return job


def committed(job: ImportJob, by: Any) -> ImportJob:
    actions.start_commit(job, by=by)
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> list[str]:
    return [p.text for p in job.problems.all()]
