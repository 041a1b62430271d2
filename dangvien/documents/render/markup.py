"""The line markup of a form's template, parsed into blocks (issue 8, "the document
contract"; layout of party documents per 36-HD/VPTW 2018 [C]).

A template is rendered by Django's template engine first (``dangvien.documents.templating``);
the text that comes out is read here line by line. One line is one block; blank lines are
ignored; consecutive table rows form one table. Inline ``**bold**`` and ``*italic*`` are
split into runs. Every block keeps the number of the line it came from, so a problem can
be reported as "Dòng 12: …".
"""

import re
from dataclasses import dataclass, field

from dangvien.core.text import is_number

COMMANDS = (
    "@header",
    "@header-personal",
    "@field",
    "@dots",
    "@sign",
    "@pagebreak",
    "@space",
)


class MarkupError(ValueError):
    """The text is not valid markup. ``problems`` are Vietnamese, one per faulty line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """One block. ``kind`` is one of: header, header_personal, title (``#``), summary
    (``##``), heading (``###``), centred (``>``), paragraph, table, field, dots, sign,
    pagebreak, space."""

    kind: str
    line: int
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # table
    label: str = ""  # field
    value: str = ""  # field
    count: int = 0  # dots
    left: list[str] = field(default_factory=list)  # sign
    right: list[str] = field(default_factory=list)  # sign


_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def runs(text: str, *, bold: bool = False, italic: bool = False) -> list[Run]:
    """``"Ông **Nguyễn Văn An** sinh *năm 1990*"`` → runs with their emphasis. A lone
    asterisk stays as it is."""
    out: list[Run] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            out.append(Run(text[pos : match.start()], bold, italic))
        if match.group(1) is not None:
            out.append(Run(match.group(1), True, italic))
        else:
            out.append(Run(match.group(2), bold, True))
        pos = match.end()
    if pos < len(text):
        out.append(Run(text[pos:], bold, italic))
    return out


def plain(text: str) -> str:
    """The text without its inline markers (for measuring and for tests)."""
    return "".join(run.text for run in runs(text))


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [cell.strip() for cell in inner.split("|")]


def _sign_side(text: str) -> list[str]:
    text = text.strip()
    return [part.strip() for part in text.split("|")] if text else []


def parse(text: str, *, strict: bool = True) -> tuple[list[Block], list[str]]:
    """Blocks of ``text`` and the problems found (Vietnamese, with the line number).

    With ``strict`` a problem raises ``MarkupError`` instead of being returned. A table
    whose rows have different numbers of cells is a problem; when not strict its short
    rows are padded so the document still renders.
    """
    blocks: list[Block] = []
    problems: list[str] = []
    table: Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            table = None
            continue
        if line.startswith("|"):
            cells = _cells(line)
            if table is None:
                table = Block("table", number, rows=[cells])
                blocks.append(table)
            else:
                width = len(table.rows[0])
                if len(cells) != width:
                    problems.append(
                        f"Dòng {number}: hàng bảng có {len(cells)} cột, "
                        f"hàng đầu của bảng có {width} cột"
                    )
                table.rows.append(cells)
            continue
        table = None
        blocks.append(_block(line, number, problems))
    for block in blocks:
        if block.kind == "table":
            width = max(len(row) for row in block.rows)
            for row in block.rows:
                row.extend([""] * (width - len(row)))
    if strict and problems:
        raise MarkupError(problems)
    return blocks, problems


def _block(line: str, number: int, problems: list[str]) -> Block:
    if line.startswith("@"):
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        if command == "@header":
            return Block("header", number)
        if command == "@header-personal":
            return Block("header_personal", number)
        if command == "@pagebreak":
            return Block("pagebreak", number)
        if command == "@space":
            return Block("space", number)
        if command == "@field":
            label, _, value = rest.partition("::")
            return Block("field", number, label=label.strip(), value=value.strip())
        if command == "@dots":
            # ASCII digits only ("²" is a digit to str.isdigit, not to int()); a long run
            # is out of range anyway (and past 4300 digits int() refuses it).
            count = int(rest) if is_number(rest) and len(rest) <= 3 else 0
            if not 1 <= count <= 60:
                problems.append(
                    f"Dòng {number}: “@dots” cần số dòng để trống từ 1 đến 60 (“@dots 3”)"
                )
                count = max(1, min(count, 60))
            return Block("dots", number, count=count)
        if command == "@sign":
            left, _, right = rest.partition("||")
            return Block("sign", number, left=_sign_side(left), right=_sign_side(right))
        problems.append(f"Dòng {number}: lệnh “{command}” không có trong mẫu")
        return Block("paragraph", number, text=line)
    if line.startswith("### "):
        return Block("heading", number, text=line[4:].strip())
    if line.startswith("## "):
        return Block("summary", number, text=line[3:].strip())
    if line.startswith("# "):
        return Block("title", number, text=line[2:].strip())
    if line.startswith("> "):
        return Block("centred", number, text=line[2:].strip())
    return Block("paragraph", number, text=line)
