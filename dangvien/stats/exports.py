"""XLSX and PDF renderers of a ``stats.report.Report`` (being written: helper E)."""

from dangvien.stats.report import Report


def to_xlsx(report: Report) -> bytes:
    raise NotImplementedError


def to_pdf(report: Report) -> bytes:
    raise NotImplementedError
