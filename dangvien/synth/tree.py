"""The organisation tree of one province: blocs, armed forces, communes with their
villages, residential chi bộ, đảng bộ cơ sở (some with a đảng bộ bộ phận level) and chi bộ
cơ sở; then every member-holding unit's size.

Rows are written as ``organisations.actions.create_organisation`` and ``add_village``
would write them: path = parent's path + ``path_segment(id)``, depth, ``sort_key =
collation_key(name)``, the sector of a grassroots organisation set and copied down to the
nodes below it, a commune "commune_ward", codes numbered under the parent (as the demo's).
Who endorses and who decides for each chi bộ follows ``organisations.queries.
admission_chain``; the rating deciders follow ``reviews.queries.access``.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from dangvien.core.sizing import scale_sizes
from dangvien.core.text import collation_key, fold
from dangvien.organisations.models import (
    GRASSROOTS,
    MEMBER_HOLDING,
    SUPERIOR,
    Kind,
    Sector,
    VillageKind,
    path_segment,
)
from dangvien.synth import vocab
from dangvien.synth.copyio import text

if TYPE_CHECKING:
    from dangvien.synth.nation import Generator


@lru_cache(maxsize=200_000)
def org_sort_key(name: str) -> str:
    return collation_key(name)


class Node:
    """An organisation row being generated, and what the generator needs to know of it."""

    __slots__ = (
        "authorised",
        "base",
        "cap",
        "children",
        "code",
        "committee_size",
        "commune",
        "decider",
        "depth",
        "endorser",
        "grassroots",
        "id",
        "kind",
        "name",
        "officials",
        "parent",
        "path",
        "place",
        "profile",
        "rating_decider",
        "sector",
        "setting",
        "size",
        "standing_size",
        "village_ids",
    )

    def __init__(self, nid: int, name: str, kind: str, parent: "Node | None") -> None:
        self.id = nid
        self.name = name
        self.kind = kind
        self.parent = parent
        self.path: str = (parent.path if parent else "") + path_segment(nid)
        self.depth: int = parent.depth + 1 if parent else 0
        self.code = ""
        self.sector = ""
        self.authorised = False
        self.committee_size: int | None = None
        self.standing_size: int | None = None
        self.setting = ""
        self.profile = "lowland"
        self.place = ""
        self.commune: Node | None = None
        self.base = 0.0
        self.cap = vocab.CAP_BRANCH
        self.size = 0
        self.village_ids: list[int] = []  # a residential chi bộ's village first
        self.grassroots: Node | None = None
        self.endorser: Node | None = None
        self.decider: Node | None = None
        self.rating_decider: Node | None = None
        self.officials: list[int] = []  # official members who may introduce and mentor
        self.children = 0

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING

    def ancestors(self) -> list["Node"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain  # nearest first


@dataclass
class Province:
    index: int
    name: str
    id_code: str
    place: str  # "tỉnh Nghệ An", "thành phố Hà Nội"
    top: Node
    target: int
    nodes: list[Node] = field(default_factory=list)
    units: list[Node] = field(default_factory=list)  # member-holding, in tree order
    communes: list[Node] = field(default_factory=list)
    grassroots_committees: list[Node] = field(default_factory=list)
    empty_villages: dict[int, list[int]] = field(default_factory=dict)  # commune id → ids


class TreeBuilder:
    """Builds one province's tree in memory and writes its organisation and village rows."""

    def __init__(self, nation: "Generator", province: Province) -> None:
        self.n = nation
        self.rng = nation.rng
        self.p = province
        self.codes: dict[int, int] = {}
        self.places: set[str] = set()
        self.drawn = 0.0

    # -- nodes -------------------------------------------------------------------------

    def node(
        self,
        name: str,
        kind: str,
        parent: Node | None,
        *,
        committee: int | None = None,
        standing: int | None = None,
        sector: str | None = None,
        authorised: bool = False,
    ) -> Node:
        node = Node(self.n.new_id("org"), name, kind, parent)
        if parent is None:
            node.code = f"T{self.p.index + 1:02d}"
        else:
            number = self.codes[parent.id] = self.codes.get(parent.id, 0) + 1
            node.code = f"{parent.code}.{number:02d}"
            parent.children += 1
        if sector is None:  # as organisations.actions._inherited_sector
            if kind == Kind.COMMUNE:
                sector = Sector.COMMUNE_WARD
            elif kind in GRASSROOTS:
                sector = ""
            else:
                sector = parent.sector if parent else ""
        node.sector = sector
        node.committee_size = committee
        node.standing_size = standing
        node.authorised = authorised
        self.p.nodes.append(node)
        return node

    def unit(
        self,
        name: str,
        kind: str,
        parent: Node,
        *,
        setting: str,
        commune: Node | None,
        place: str,
        profile: str,
        shape: tuple[float, float, float],
        sector: str | None = None,
    ) -> Node:
        if kind == Kind.GRASSROOTS_BRANCH and sector is None:
            sector = vocab.SETTING_SECTORS.get(setting, Sector.OTHER)
        unit = self.node(name, kind, parent, sector=sector)
        unit.setting, unit.commune, unit.place, unit.profile = setting, commune, place, profile
        unit.cap = (
            vocab.CAP_GRASSROOTS_BRANCH if kind == Kind.GRASSROOTS_BRANCH else vocab.CAP_BRANCH
        )
        low, high, mode = shape
        unit.base = self.rng.triangular(low, high, mode)
        self.drawn += unit.base
        self.p.units.append(unit)
        return unit

    def odd(self, low: int, high: int) -> int:
        return self.rng.randrange(low | 1, high + 1, 2)

    # -- the province ------------------------------------------------------------------

    def build(self, terrain: str, city: bool) -> None:
        rng, p = self.rng, self.p
        scale = min(1.0, p.target / 150_000)
        bloc_target = p.target * vocab.BLOC_SHARE
        party = self.node(
            f"Đảng bộ Các cơ quan Đảng {p.place}", Kind.BLOC, p.top, committee=self.odd(21, 33),
            standing=self.odd(7, 9),
        )  # fmt: skip
        gov = self.node(
            f"Đảng bộ Ủy ban nhân dân {p.place}", Kind.BLOC, p.top, committee=self.odd(25, 35),
            standing=self.odd(7, 11),
        )  # fmt: skip
        for name in vocab.BLOC_PARTY_GBS[: max(2, round(len(vocab.BLOC_PARTY_GBS) * scale))]:
            self.unit(
                self.localised(name, city),
                Kind.GRASSROOTS_BRANCH, party, setting="province", commune=None, place=p.place,
                profile="lowland", shape=vocab.BLOC_GB_SHAPE,
            )  # fmt: skip
        for name in vocab.BLOC_GOV_GBS[: max(2, round(len(vocab.BLOC_GOV_GBS) * scale))]:
            self.unit(
                name, Kind.GRASSROOTS_BRANCH, gov, setting="province", commune=None,
                place=p.place, profile="lowland", shape=vocab.BLOC_GB_SHAPE,
            )  # fmt: skip
        if scale >= 0.2:
            for pattern, parts in vocab.FORCES:
                self.forces(pattern.format(province=p.place), parts)
        made = 0
        while self.drawn < bloc_target:
            self.bloc_committee(gov, made)
            made += 1
        profiles = vocab.Pick(vocab.TERRAIN_PROFILES[terrain])
        ward_share = vocab.CITY_WARD_SHARE if city else vocab.WARD_SHARE[terrain]
        while self.drawn < p.target or not p.communes:
            self.commune(profiles(rng.random), rng.random() < ward_share)

    def localised(self, name: str, city: bool) -> str:
        """A demo name of the Sơn Lâm province's blocs, for this province."""
        name = name.replace("Sơn Lâm", self.p.name)
        if city:
            name = name.replace("Tỉnh ủy", "Thành ủy").replace(" tỉnh", " thành phố")
        return name

    def forces(self, name: str, parts: list[str]) -> None:
        gc = self.node(
            name, Kind.GRASSROOTS_COMMITTEE, self.p.top, committee=self.odd(9, 15),
            sector=Sector.ARMED_FORCES,
        )  # fmt: skip
        self.p.grassroots_committees.append(gc)
        for part in parts:
            sub = self.node(
                f"Đảng bộ bộ phận {part}", Kind.SUB_COMMITTEE, gc, committee=self.odd(3, 5)
            )
            for k in range(self.rng.randint(3, 6)):
                self.unit(
                    f"Chi bộ {part} số {k + 1}", Kind.BRANCH, sub, setting="forces", commune=None,
                    place=self.p.place, profile="lowland", shape=vocab.BLOC_BRANCH_SHAPE,
                )  # fmt: skip

    def bloc_committee(self, gov: Node, made: int) -> None:
        rng = self.rng
        pattern, setting, branches = vocab.BLOC_GC_TEMPLATES[made % len(vocab.BLOC_GC_TEMPLATES)]
        round_no = made // len(vocab.BLOC_GC_TEMPLATES)
        names = {
            "dept": vocab.DEPARTMENTS,
            "hospital": vocab.HOSPITALS,
            "school": vocab.SCHOOLS,
            "company": vocab.COMPANIES,
        }
        key = pattern[pattern.index("{") + 1 : pattern.index("}")]
        choices = names[key]
        label = choices[round_no % len(choices)]
        if round_no >= len(choices):
            label = f"{label} số {round_no // len(choices) + 1}"
        gc = self.node(
            pattern.format(**{key: label}), Kind.GRASSROOTS_COMMITTEE, gov,
            committee=self.odd(5, 11), sector=vocab.SETTING_SECTORS[setting],
        )  # fmt: skip
        self.p.grassroots_committees.append(gc)
        for branch in branches[: rng.randint(3, len(branches))]:
            self.unit(
                branch, Kind.BRANCH, gc, setting=setting, commune=None, place=self.p.place,
                profile="lowland", shape=vocab.BLOC_BRANCH_SHAPE,
            )  # fmt: skip

    def place_name(self, highland: bool) -> str:
        rng = self.rng
        for _attempt in range(200):
            if highland and rng.random() < 0.5:
                name = rng.choice(vocab.HIGHLAND_PLACES)
                if name in self.places:
                    name = f"{name} {rng.choice(vocab.PLACE_WORDS)}"
            else:
                first, second = rng.sample(vocab.PLACE_WORDS, 2)
                name = f"{first} {second}"
            if name not in self.places:
                self.places.add(name)
                return name
        name = f"{rng.choice(vocab.PLACE_WORDS)} {len(self.places) + 1}"
        self.places.add(name)
        return name

    def commune(self, profile: str, ward: bool) -> None:
        rng, p = self.rng, self.p
        word = "phường" if ward else "xã"
        name = self.place_name(profile == "highland")
        place = f"{word} {name}, {p.place}"
        commune = self.node(
            f"Đảng bộ {word} {name}", Kind.COMMUNE, p.top, committee=self.odd(15, 33),
            standing=self.odd(5, 9),
        )  # fmt: skip
        p.communes.append(commune)
        # Villages or residential groups, each with its own chi bộ under the commune.
        labels: list[str] = []
        seen: set[str] = set()
        for _attempt in range(rng.randint(18, 32) * 3):
            if len(labels) >= 32:
                break
            if ward:
                label = f"Tổ dân phố số {len(labels) + 1}"
            elif profile == "highland" and rng.random() < 0.7:
                label = f"bản {rng.choice(vocab.HIGHLAND_PLACES)}"
            else:
                first, second = rng.sample(vocab.PLACE_WORDS, 2)
                label = f"thôn {first} {second}"
            if fold(label) not in seen:
                seen.add(fold(label))
                labels.append(label)
            if len(labels) >= 18 and rng.random() < 0.08:
                break
        setting = "ward" if ward else "village"
        shape = vocab.WARD_SHAPE if ward else vocab.VILLAGE_SHAPE[profile]
        kind = VillageKind.RESIDENTIAL_GROUP if ward else VillageKind.VILLAGE
        residential = []
        for label in labels:
            unit = self.unit(
                f"Chi bộ {label}", Kind.BRANCH, commune, setting=setting, commune=commune,
                place=place, profile=profile, shape=shape,
            )  # fmt: skip
            residential.append(unit)
            unit.village_ids.append(
                self.village(commune, label[:1].upper() + label[1:], kind, unit)
            )
        served = [u.village_ids[0] for u in residential]
        if not ward and rng.random() < 0.4 and "thon tan hop" not in seen:
            host = rng.choice(residential)
            served.append(self.village(commune, "Thôn Tân Hợp", kind, host))
        if rng.random() < 0.5:
            label = "Tổ dân phố Tân Sơn" if ward else "Bản Nậm Cang"
            if fold(label) not in seen:
                p.empty_villages[commune.id] = [self.village(commune, label, kind, None)]
        commune_villages = served
        # Đảng bộ cơ sở: schools, health centres, enterprises, the commune's agencies.
        for template in rng.sample(vocab.GC_TEMPLATES, k=rng.randint(2, 4)):
            gc_name, gc_setting, branch_names = template
            authorised = gc_setting == "enterprise" and rng.random() < 0.3
            gc = self.node(
                gc_name.format(place=name), Kind.GRASSROOTS_COMMITTEE, commune,
                committee=15 if authorised else self.odd(5, 11), authorised=authorised,
                sector=vocab.SETTING_SECTORS[gc_setting],
            )  # fmt: skip
            p.grassroots_committees.append(gc)
            parents = [gc]
            if rng.random() < 0.2:
                sub_name = "Nhà máy số 1" if gc_setting == "enterprise" else "Khối chuyên môn"
                parents = [self.node(
                    f"Đảng bộ bộ phận {sub_name}", Kind.SUB_COMMITTEE, gc,
                    committee=self.odd(3, 5),
                ), gc]  # fmt: skip
            for b, branch_name in enumerate(branch_names[: rng.randint(3, len(branch_names))]):
                unit = self.unit(
                    branch_name, Kind.BRANCH, parents[b % len(parents)], setting=gc_setting,
                    commune=commune, place=place, profile=profile, shape=vocab.WORKPLACE_SHAPE,
                )  # fmt: skip
                unit.village_ids = commune_villages
        for gb_name, gb_setting, gb_shape in rng.sample(vocab.GB_TEMPLATES, k=rng.randint(3, 6)):
            unit = self.unit(
                gb_name.format(place=name), Kind.GRASSROOTS_BRANCH, commune, setting=gb_setting,
                commune=commune, place=place, profile=profile, shape=gb_shape,
            )  # fmt: skip
            unit.village_ids = commune_villages

    def village(self, commune: Node, name: str, kind: str, branch: Node | None) -> int:
        vid = self.n.new_id("village")
        self.n.tables["village"].add(
            (
                str(vid),
                str(commune.id),
                commune.path,
                text(name),
                kind,
                str(branch.id) if branch else "\\N",
                "t",
            )
        )
        return vid

    # -- sizes, chains, rows -----------------------------------------------------------

    def size_units(self) -> None:
        """Scale the drawn sizes to the province's target, each within [3, cap] (as the
        demo's ``size_units``)."""
        units = self.p.units
        sizes = scale_sizes(
            [u.base for u in units],
            self.p.target,
            [vocab.FLOOR] * len(units),
            [u.cap for u in units],
            self.rng,
        )
        for u, size in zip(units, sizes, strict=True):
            u.size = size

    def chains(self) -> None:
        """Endorser and decider of each unit (``admission_chain``), and who rates it and
        its members (``member_rating_decider`` / ``org_rating_decider``)."""
        for unit in self.p.units:
            grassroots = superior = None
            for org in [unit, *unit.ancestors()]:
                if org.kind in SUPERIOR:
                    superior = org
                    break
                if grassroots is None and org.kind in GRASSROOTS:
                    grassroots = org
            unit.grassroots = grassroots
            if grassroots is not None and grassroots.kind == Kind.GRASSROOTS_COMMITTEE:
                if grassroots.authorised:
                    unit.endorser, unit.decider = None, grassroots
                else:
                    unit.endorser, unit.decider = grassroots, superior
            else:
                unit.endorser, unit.decider = None, superior
            member_decider = grassroots or unit.decider
            if unit.kind in GRASSROOTS:
                unit.rating_decider = superior  # org_rating_decider of a grassroots org
            else:
                unit.rating_decider = member_decider
        for gc in self.p.grassroots_committees:
            gc.rating_decider = next(a for a in gc.ancestors() if a.kind in SUPERIOR)

    def write_nodes(self) -> None:
        table = self.n.tables["organisation"]
        for node in self.p.nodes:
            table.add(
                (
                    str(node.id),
                    text(node.name),
                    node.kind,
                    str(node.parent.id) if node.parent else "\\N",
                    node.path,
                    str(node.depth),
                    node.code,
                    "t" if node.authorised else "f",
                    str(node.committee_size) if node.committee_size else "\\N",
                    str(node.standing_size) if node.standing_size else "\\N",
                    org_sort_key(node.name),
                    fold(node.name),
                    node.sector,
                )
            )


ORGANISATION_COLUMNS = [
    "id",
    "name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "code",
    "authorised_to_admit",
    "committee_size",
    "standing_committee_size",
    "sort_key",
    "search_text",
    "sector",
]
VILLAGE_COLUMNS = ["id", "organisation_id", "org_path", "name", "kind", "branch_id", "active"]
