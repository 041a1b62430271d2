"""Which body issues a form for a chi bộ, and how that body signs (issue 8; DOMAIN.md §10).

The layout of a party document's header and signature follows 36-HD/VPTW 2018 [C]: the
issuing body's name in capitals under the name of the đảng bộ above it, "Số 127-QĐ/ĐU"
(number, type of document, body's abbreviation), the place and date on the right, and the
signature "T/M <collective body>" over the signer's title. What a node prints is read
from its signing fields (``document_name``, ``document_symbol``, ``place_name``,
``term_started_on``); when they are blank it is derived from the node's name and kind.
"""

import re
from datetime import date

from dangvien.core.rules import rule
from dangvien.core.text import nfc
from dangvien.documents import forms as f
from dangvien.documents.forms import Form
from dangvien.organisations.models import SUPERIOR, Kind, Organisation
from dangvien.organisations.queries import AdmissionChain, admission_chain, ancestors

# Abbreviations in the number's symbol ("127-QĐ/ĐU"), by kind (36-HD/VPTW 2018 appendix:
# TU tỉnh ủy, HU huyện ủy, ĐUK đảng ủy khối, ĐU đảng ủy, ĐUBP đảng ủy bộ phận, CB chi bộ
# [C for TU/HU/ĐU/CB; U for ĐUK/ĐUBP]).
SYMBOLS: dict[str, str] = {
    Kind.PROVINCE: "TU",
    Kind.BLOC: "ĐUK",
    Kind.DISTRICT: "HU",
    Kind.COMMUNE: "ĐU",
    Kind.GRASSROOTS_COMMITTEE: "ĐU",
    Kind.SUB_COMMITTEE: "ĐUBP",
    Kind.GRASSROOTS_BRANCH: "CB",
    Kind.BRANCH: "CB",
}

# Nodes that act through a committee of their own (a đảng ủy, or a tỉnh/huyện ủy).
_COMMITTEE_KINDS = {
    Kind.PROVINCE,
    Kind.BLOC,
    Kind.DISTRICT,
    Kind.COMMUNE,
    Kind.GRASSROOTS_COMMITTEE,
    Kind.SUB_COMMITTEE,
}

# "Tỉnh ủy X", "Thành ủy X", "Huyện ủy X"…: the committee of the đảng bộ of that unit.
_UNIT_COMMITTEES = (
    ("tỉnh ủy", "tỉnh"),
    ("thành ủy", "thành phố"),
    ("huyện ủy", "huyện"),
    ("quận ủy", "quận"),
    ("thị ủy", "thị xã"),
)
# Administrative units a name may carry, longest first ("thị xã" before "xã").
_UNITS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")
_UNIT_RE = re.compile(r"(?:^|\s)(" + "|".join(_UNITS) + r")\s+(.+)$", re.IGNORECASE)


def upper(text: str) -> str:
    """Capitals as Vietnamese prints them ("đ" → "Đ"), NFC."""
    return nfc(text).upper()


def _strip_prefix(name: str, prefix: str) -> str | None:
    if name.casefold().startswith(prefix.casefold() + " "):
        return name[len(prefix) + 1 :].strip()
    return None


# ---- which body ------------------------------------------------------------------------


def _chain(branch: Organisation) -> AdmissionChain | None:
    try:
        return admission_chain(branch)
    except ValueError:  # a tree without a deciding committee above the branch
        return None


def sub_committee_of(branch: Organisation) -> Organisation | None:
    """The đảng ủy bộ phận the chi bộ sits under, if any: the nearest ancestor of that kind
    below the grassroots organisation (Charter Art. 21 [C])."""
    for org in reversed(ancestors(branch)):
        if org.kind == Kind.SUB_COMMITTEE:
            return org
        if org.kind in (Kind.GRASSROOTS_COMMITTEE, *SUPERIOR):
            return None
    return None


def committee_above(branch: Organisation) -> Organisation | None:
    """The nearest committee above the chi bộ that writes its letters and certificates: a
    grassroots đảng ủy, else the commune (or other superior) committee. A đảng ủy bộ phận
    is skipped: it neither issues transfer letters nor course certificates (294-QĐ/TW
    §6.3; QĐ 360 [C]; the sub-committee's limits [U])."""
    for org in reversed(ancestors(branch)):
        if org.kind == Kind.GRASSROOTS_COMMITTEE or org.kind in SUPERIOR:
            return org
    return None


def issuer_of(form: Form, branch: Organisation) -> Organisation | None:
    """The organisation that issues ``form`` for a subject of ``branch`` (and whose
    register numbers it): BRANCH → the chi bộ; SUB_COMMITTEE → the đảng ủy bộ phận above
    it or None (form not applicable); GRASSROOTS → the grassroots đảng ủy that endorses
    between chi bộ and decider, or None; DECIDER → the competent committee (294-QĐ/TW
    §4.3.2 [C], via ``admission_chain``); COMMITTEE → ``committee_above``; PERSONAL (a
    person writes and signs it) → None."""
    if form.issuer == f.BRANCH:
        return branch
    if form.issuer == f.SUB_COMMITTEE:
        return sub_committee_of(branch)
    if form.issuer == f.GRASSROOTS:
        chain = _chain(branch)
        return chain.endorser if chain else None
    if form.issuer == f.DECIDER:
        chain = _chain(branch)
        return chain.decider if chain else None
    if form.issuer == f.COMMITTEE:
        return committee_above(branch)
    return None


def applicable(form: Form, branch: Organisation) -> bool:
    """Whether the form belongs in the dossier of a subject of ``branch``: the đảng ủy bộ
    phận's reports (7/14-KNĐ) only under one, the grassroots đảng ủy's resolutions (8/15-KNĐ)
    only where one endorses between chi bộ and decider (12-HD/BTCTW 2022 §1.1 [C]: "nếu
    có"); a body's document needs that body to exist in the tree."""
    if form.issuer == f.PERSONAL:
        return True
    return issuer_of(form, branch) is not None


# ---- how it signs ----------------------------------------------------------------------


def body_label(org: Organisation) -> str:
    """The issuing body as a sentence names it, derived from the node's name and kind: a
    đảng bộ acts through its đảng ủy ("Đảng bộ xã An Bình" → "Đảng ủy xã An Bình"; a
    province "Đảng bộ tỉnh X" → "Tỉnh ủy X"), a chi bộ is itself ("Thôn 1" → "Chi bộ
    Thôn 1")."""
    name = nfc(org.name).strip()
    if org.kind not in _COMMITTEE_KINDS:  # a chi bộ
        rest = _strip_prefix(name, "Chi bộ")
        return f"Chi bộ {rest if rest is not None else name}"
    for committee, _unit in _UNIT_COMMITTEES:
        rest = _strip_prefix(name, committee)
        if rest is not None:
            return f"{committee[0].upper()}{committee[1:]} {rest}"
    rest = _strip_prefix(name, "Đảng bộ")
    if rest is None:
        rest = _strip_prefix(name, "Đảng ủy")
    if rest is None:
        rest = name
    if org.kind in (Kind.PROVINCE, Kind.DISTRICT):
        for committee, unit in _UNIT_COMMITTEES:
            place_rest = _strip_prefix(rest, unit)
            if place_rest is not None:
                return f"{committee[0].upper()}{committee[1:]} {place_rest}"
    return f"Đảng ủy {rest}"


def body_name(org: Organisation) -> str:
    """The issuing body as printed in the header, in capitals (36-HD/VPTW 2018 [C]):
    ``document_name``, else ``body_label`` in capitals ("Đảng bộ xã An Bình" → "ĐẢNG ỦY XÃ
    AN BÌNH"; "Đảng bộ tỉnh X" → "TỈNH ỦY X"; "Chi bộ Thôn 1" → "CHI BỘ THÔN 1")."""
    if org.document_name.strip():
        return upper(org.document_name.strip())
    return upper(body_label(org))


def party_body_name(org: Organisation) -> str:
    """The organisation named as a đảng bộ (or chi bộ), in capitals: "Tỉnh ủy X" →
    "ĐẢNG BỘ TỈNH X", "Đảng bộ xã An Bình" → "ĐẢNG BỘ XÃ AN BÌNH"."""
    name = nfc(org.name).strip()
    for committee, unit in _UNIT_COMMITTEES:
        rest = _strip_prefix(name, committee)
        if rest is not None:
            return upper(f"Đảng bộ {unit} {rest}")
    if org.kind not in _COMMITTEE_KINDS:
        rest = _strip_prefix(name, "Chi bộ")
        return upper(f"Chi bộ {rest if rest is not None else name}")
    for prefix in ("Đảng bộ", "Đảng ủy"):
        rest = _strip_prefix(name, prefix)
        if rest is not None:
            return upper(f"Đảng bộ {rest}")
    return upper(f"Đảng bộ {name}")


def parent_body(org: Organisation) -> str:
    """The line above the issuing body: the đảng bộ directly above it ("ĐẢNG BỘ XÃ AN
    BÌNH" over "CHI BỘ THÔN ĐÔNG"), "" at a tree's root (36-HD/VPTW 2018 [C])."""
    if org.parent_id is None:
        return ""
    parent = org.parent
    assert parent is not None
    return party_body_name(parent)


def symbol(org: Organisation) -> str:
    """The body's abbreviation after the type of document: ``document_symbol``, else by
    kind (``SYMBOLS``)."""
    if org.document_symbol.strip():
        return nfc(org.document_symbol.strip())
    return SYMBOLS.get(org.kind, "ĐU")


def _place_from_name(name: str) -> str | None:
    name = nfc(name).strip()
    for committee, _unit in _UNIT_COMMITTEES:
        rest = _strip_prefix(name, committee)
        if rest is not None:
            return rest
    match = _UNIT_RE.search(name)
    return match.group(2).strip() if match else None


def place(org: Organisation) -> str:
    """The place name before the date ("An Bình, ngày …"; 36-HD/VPTW 2018 [C]): the node's
    ``place_name``, else the nearest ancestor's, else the administrative unit in the name
    of the node or the nearest ancestor ("Đảng bộ xã An Bình" → "An Bình"), else the
    node's own name."""
    chain = [org, *reversed(ancestors(org))]
    for node in chain:
        if node.place_name.strip():
            return nfc(node.place_name.strip())
    for node in chain:
        found = _place_from_name(node.name)
        if found:
            return found
    return nfc(org.name)


def term_from(org: Organisation, on: date) -> date:
    """The start of the committee term the numbers run in: numbers start again from 01
    each term (36-HD/VPTW 2018 §II.1 [C]). ``term_started_on`` of the node, else the rule
    ``documents.term_start`` [U]."""
    if org.term_started_on:
        return org.term_started_on
    value = rule("documents.term_start", on=on, organisation=org)
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# What a person signs as, for the forms a person writes (12-HD/BTCTW 2022 forms [C]).
PERSONAL_TITLES: dict[str, str] = {
    "1-KNĐ": "NGƯỜI LÀM ĐƠN",
    "2-KNĐ": "NGƯỜI KHAI LÝ LỊCH",
    "3-KNĐ": "NGƯỜI GIỚI THIỆU",
    "4-KNĐ": "BÍ THƯ",
    "10-KNĐ": "NGƯỜI TỰ KIỂM ĐIỂM",
    "11-KNĐ": "ĐẢNG VIÊN ĐƯỢC PHÂN CÔNG GIÚP ĐỠ",
    "BC-DB": "NGƯỜI BÁO CÁO",
}


def signer_title(form: Form, org: Organisation | None = None) -> tuple[str, str]:
    """The two lines over the signature: on whose behalf and the title (36-HD/VPTW 2018
    [C]): ("T/M CHI BỘ", "BÍ THƯ") for a chi bộ; ("T/M ĐẢNG ỦY", "BÍ THƯ") for a đảng ủy
    (bộ phận, cơ sở, or one authorised to admit deciding as a whole, 294-QĐ/TW §4.3.2a);
    ("T/M BAN THƯỜNG VỤ", "BÍ THƯ") for a committee deciding through its standing
    committee (§4.3.2). A person's form: ("", their role: "NGƯỜI LÀM ĐƠN"…); the union's
    resolution (4-KNĐ): ("T/M BAN CHẤP HÀNH", "BÍ THƯ")."""
    if form.issuer == f.PERSONAL:
        if form.code == "4-KNĐ":
            return ("T/M BAN CHẤP HÀNH", "BÍ THƯ")
        return ("", PERSONAL_TITLES.get(form.code, ""))
    if form.issuer == f.BRANCH or (org is not None and org.kind not in _COMMITTEE_KINDS):
        return ("T/M CHI BỘ", "BÍ THƯ")
    if org is not None and org.kind in SUPERIOR:
        return ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    if org is None and form.issuer in (f.DECIDER, f.COMMITTEE):
        return ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    return ("T/M ĐẢNG ỦY", "BÍ THƯ")
