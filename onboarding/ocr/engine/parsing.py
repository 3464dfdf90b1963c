"""Turn recognised line texts into the contract's field values. Pure functions, no I/O.

Every parser takes what the recogniser read (labels glued on, stamps printed over, look-alike
characters) and returns the cleanest value it can justify, with a confidence multiplier where it had
to guess. The ID number is only ever corrected when its check character leaves exactly one reading.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import stdnum
from stdnum.cn import ric

from onboarding.identity import LONG_TERM, NATIONS

# Stamps printed over copies, and the fragments a recogniser makes of them.
_STAMPS = ("复印无效", "禁止复印", "仅供", "复印件", "再次复印无效")
_STAMP_FRAGMENTS = tuple(
    sorted(
        {
            s[i:j]
            for s in ("复印无效", "禁止复印", "再次复印无效")
            for i in range(len(s))
            for j in range(i + 2, len(s) + 1)
        },
        key=len,
        reverse=True,
    )
)
# Specimen marks are never part of a value either.
_SPECIMEN = ("样本", "样", "SPECIMEN")

_LABELS = ("公民身份号码", "签发机关", "有效期限", "姓名", "性别", "民族", "出生", "住址")

_DOTS = re.compile(r"[·•・.．‧∙⋅･°。,，\-—_'`\"]")
_SPACE = re.compile(r"\s+")
_NON_CJK_NAME = re.compile(r"[^\u3400-\u9fff·]")

_NATION_SET = frozenset(NATIONS)


_NEVER_IN_VALUES = re.compile(r"[:;：；、|]")

# The recogniser sometimes answers with a traditional form; cards are printed in simplified characters.
_TRADITIONAL = str.maketrans(
    "強華國東區縣鄉鎮號單門陽長張劉陳楊黃趙吳孫馬許鄭謝韓馮蕭葉龍廣雲貴遼寧蘇灣齊爾麗買義偉軍紅興勝鳳漢豐開發園農藝瑤艷潔靜傑濤鵬輝貞濟萬與書習燈蘭戰廠層屬嶺巖彥徑縣衛雙",
    "强华国东区县乡镇号单门阳长张刘陈杨黄赵吴孙马许郑谢韩冯萧叶龙广云贵辽宁苏湾齐尔丽买义伟军红兴胜凤汉丰开发园农艺瑶艳洁静杰涛鹏辉贞济万与书习灯兰战厂层属岭岩彦径县卫双",
)


def _nfkc(text: str) -> str:
    """Compatibility forms folded (full-width digits...), spaces and label colons removed."""
    text = _NEVER_IN_VALUES.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", text)))
    return text.translate(_TRADITIONAL)


def strip_stamps(text: str) -> str:
    """``text`` without 复印无效 / 禁止复印 stamps or any two-character-or-longer piece of them."""
    for frag in _STAMP_FRAGMENTS:
        text = text.replace(frag, "")
    for mark in _SPECIMEN:
        text = text.replace(mark, "")
    return text


# Label characters that can also begin a value, so a lone one is kept (关岭县公安局, 期...).
_KEEP_LONE = frozenset("关限")


def strip_label(text: str, label: str) -> str:
    """``text`` without a leading ``label``, or the label's first or last characters when only some
    of it was read (姓魏超鑫, 址北京市...)."""
    for i in range(len(label)):
        part = label[i:]
        if len(part) == 1 and part in _KEEP_LONE:
            break
        if text.startswith(part):
            return text[len(part) :]
    # A long label with one character misread (警发机关): still the label.
    if 4 <= len(label) < len(text) and sum(a != b for a, b in zip(text, label, strict=False)) <= 1:
        return text[len(label) :]
    for j in range(len(label) - 1, 0, -1):
        part = label[:j]
        if len(part) == 1 and len(label) > 2:
            break
        if text.startswith(part):
            return text[len(part) :]
    return text


def is_label(text: str) -> bool:
    """True when a line read is nothing but a printed label (住址, 姓 名, 签发机关...)."""
    return _nfkc(text) in _LABELS


def _strip_all_labels(text: str) -> str:
    for label in _LABELS:
        text = text.replace(label, "")
    return text


_OTHER_THAN_NAME = ("性别", "民族", "出生", "住址", "公民身份")


def parse_name(lines: Sequence[str]) -> str:
    """A name: CJK characters, a minority name's parts joined by ``·`` (look-alike dots unified)."""
    text = "".join(_nfkc(t) for t in lines)
    if any(label in text for label in _OTHER_THAN_NAME):
        # Another field's label where the name should be (性别男: a small card's lines put one row
        # off): this is not the name line, and no name is better than a wrong one.
        return ""
    # The label's wide letter-spacing read as a dot (姓·名) is still the label, not a name's dot.
    text = re.sub(r"^姓" + _DOTS.pattern + "+名", "姓名", text)
    text = strip_stamps(strip_label(text, "姓名"))
    text = _DOTS.sub("·", text)
    text = _NON_CJK_NAME.sub("", text)
    text = re.sub("·+", "·", text).strip("·")
    return text


def has_name_dot(text: str) -> bool:
    """Whether a name line as read has a dot between two characters: a transliterated name's parts
    (买买提·艾力), whose characters are not a Han name's surname and given name."""
    return re.search(r"[\u3400-\u9fff][·•・.．‧∙⋅･]+[\u3400-\u9fff]", _nfkc(text)) is not None


def parse_sex(text: str) -> str:
    """男 or 女, or "" when neither was read."""
    text = strip_label(_nfkc(text), "性别")
    for ch in text:
        if ch in "男女":
            return ch
    return ""


def split_sex_nation(text: str) -> tuple[str, str, str]:
    """A row read whole (性别男民族汉) split into its sex part and its nation part (after 民族)."""
    text = _nfkc(text)
    for sep in ("民族", "族", "民"):
        left, found, right = text.partition(sep)
        if found:
            return left, found, right
    # No label read: the sex is the first 男/女, the rest is the nation.
    for i, ch in enumerate(text):
        if ch in "男女":
            return text[: i + 1], "", text[i + 1 :]
    return "", "", text


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def is_nation(text: str) -> bool:
    """One of the nations a card prints (without 族)."""
    return text in _NATION_SET


def parse_nation(text: str) -> tuple[str, float]:
    """The nation without 族 and a confidence factor (1.0 when it is one of the 56 as read)."""
    text = _nfkc(text)
    # The label read whole with something before it (a stamp's stroke, the sex): the value follows.
    _, found, after = text.rpartition("民族")
    text = strip_stamps(strip_label(after if found else text, "民族"))
    text = re.sub(r"[^\u3400-\u9fff]", "", text)
    text = text.removesuffix("族")
    if text in _NATION_SET:
        return text, 1.0
    if not text:
        return "", 0.0
    # One misread character in a known name: take the nearest if it is unique.
    best = sorted(NATIONS, key=lambda n: (_edit_distance(text, n), abs(len(n) - len(text))))
    d0 = _edit_distance(text, best[0])
    if d0 <= max(1, len(text) // 3) and (len(best) < 2 or _edit_distance(text, best[1]) > d0):
        return best[0], 0.7
    # A stamp's remains beside the name (汉上): the longest known name inside, if only one is.
    inside = sorted((n for n in NATIONS if n in text), key=len, reverse=True)
    if inside and (len(inside) == 1 or len(inside[0]) > len(inside[1])):
        return inside[0], 0.6
    return text, 0.3


_DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "U": "0",
        "〇": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "L": "1",
        "J": "1",
        "T": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "G": "6",
        "b": "6",
        "B": "8",
        "g": "9",
        "q": "9",
        "A": "4",
    }
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", _nfkc(text).translate(_DIGIT_LOOKALIKES))


def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        datetime.date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def parse_birth(text: str) -> tuple[str, float]:
    """ "1987年1月1日" (however spaced or misread) as "1987/1/1", with a confidence factor."""
    text = strip_stamps(strip_label(_nfkc(text), "出生"))
    text = text.translate(_DIGIT_LOOKALIKES)
    groups = re.findall(r"\d+", text)
    if len(groups) >= 3 and len(groups[0]) == 4:
        y, m, d = int(groups[0]), int(groups[1]), int(groups[2])
        if _valid_date(y, m, d):
            return f"{y}/{m}/{d}", 1.0
    digits = "".join(groups)
    # 年/月/日 lost: 8 digits YYYYMMDD, or 6-7 with unpadded month/day (only if one split is valid).
    if len(digits) >= 6:
        y = int(digits[:4])
        rest = digits[4:]
        options = {
            (y, int(rest[:i]), int(rest[i:]))
            for i in range(1, len(rest))
            if len(rest[:i]) <= 2 and len(rest[i:]) <= 2 and _valid_date(y, int(rest[:i]), int(rest[i:]))
        }
        if len(options) == 1:
            yy, mm, dd = options.pop()
            return f"{yy}/{mm}/{dd}", 0.6
    return "", 0.0


def parse_address(lines: Sequence[str], *, number: str = "") -> str:
    """The address lines joined, without the 住址 label, stamps, spaces or specimen marks, its head
    checked against the register (``correct_address_head``, with the card's ``number``)."""
    parts = []
    for i, line in enumerate(lines):
        text = _nfkc(line)
        if i == 0:
            text = strip_label(text, "住址")
        parts.append(strip_stamps(text))
    text = "".join(parts)
    # Stray Latin punctuation from the card's security print; keep digits, letters and CJK.
    text = re.sub(r"[^\u3400-\u9fff0-9A-Za-z\-－()（）#·]", "", text)
    # A dot or dash at either end is a speck or a stamp's border, never part of the address.
    return correct_address_head(text.strip("·-－"), number=number)


def parse_authority(text: str) -> str:
    """The issuing authority (签发机关), label and stamps removed, its place names checked against
    the national register of administrative divisions."""
    text = strip_stamps(strip_label(_nfkc(text), "签发机关"))
    return correct_authority(re.sub(r"[^\u3400-\u9fff0-9A-Za-z()（）]", "", text))


# --- place names ----------------------------------------------------------------------------------
#
# Addresses begin with the province, prefecture and county, and the issuing authority is a county's
# (or a city's district's) public security bureau: names from the national register of
# administrative divisions (GB/T 2260, every edition since 1980, as python-stdnum ships it for
# validating ID numbers). A recogniser confusing two similar characters (濉/滩, 丈/文) leaves a name
# that is one character off a registered one; it is put right only when exactly one registered name
# at that place in the hierarchy is that close, so an unregistered name read correctly stays as read.

_NOT_PLACES = frozenset({"市辖区", "县", "郊区县"})


@dataclass
class _Place:
    children: dict[str, _Place] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _register() -> _Place:
    """Provinces → prefectures → counties by name (counties also directly under their province,
    for municipalities, directly administered cities and addresses that skip the prefecture)."""
    root = _Place()
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    province = prefecture = _Place()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r'^(\s*)(\d+) \w+="(.*)"', line)
        if not m:
            continue
        indent, code, raw = m.groups()
        names = [
            n for n in (re.sub(r"^\[[\d-]*\]", "", part) for part in raw.split(",")) if n and "直辖" not in n
        ]
        names = [n for n in names if n not in _NOT_PLACES]
        if not indent:
            province = root.children.setdefault(names[0], _Place()) if names else _Place()
            prefecture = province
        elif code.endswith("00"):
            prefecture = _Place()
            for name in names:
                if code != "0000":
                    prefecture = province.children.setdefault(name, prefecture)
            if not names:
                prefecture = province
        else:
            for name in names:
                place = prefecture.children.setdefault(name, _Place())
                province.children.setdefault(name, place)
    return root


def _one_off(text: str, name: str) -> bool:
    return len(text) == len(name) and sum(a != b for a, b in zip(text, name, strict=True)) == 1


def _match_place(
    text: str, start: int, names: Iterable[str], places: dict[str, _Place] | None = None
) -> str | None:
    """The registered name at ``text[start:]``: one read as printed, else the only name of three or
    more characters that is one character off what was read there. When several are one off
    (翔州市: 朔州市, 忻州市, 霍州市; 冯南省: 河南省, 湖南省) and ``places`` gives each name's own
    divisions, the one whose next division follows it in the text (山阴县 after 朔州市) is taken:
    the rest of the address is the evidence the character alone could not give."""
    names = list(names)
    exact = [n for n in names if text.startswith(n, start)]
    if exact:
        return max(exact, key=len)
    near = {n for n in names if len(n) >= 3 and _one_off(text[start : start + len(n)], n)}
    if len(near) == 1:
        return near.pop()
    if places is None or not near:
        return None
    # A next division read as printed first (开封市 follows 河南省; 云南省's 开远市 is one off it too).
    printed = [n for n in near if any(text.startswith(c, start + len(n)) for c in places[n].children)]
    if len(printed) == 1:
        return printed[0]
    followed = [n for n in near if _match_place(text, start + len(n), places[n].children) is not None]
    return followed[0] if len(followed) == 1 and not printed else None


def _same_places(text: str, name: str) -> int:
    """How many characters of ``text`` are ``name``'s at the same places (``text`` as long)."""
    return sum(a == b for a, b in zip(text, name, strict=False)) if len(text) == len(name) else 0


def _named_by_next(text: str, start: int, place: _Place) -> str | None:
    """The one division of ``place`` that keeps a character where it was read at ``text[start:]``
    and is followed there by one of its own divisions read as printed (安聚客安庆市: only 安徽省
    holds 安庆市): a name two or more characters off, which the next one names."""
    named = [
        name
        for name, child in place.children.items()
        if _same_places(text[start : start + len(name)], name)
        and any(text.startswith(c, start + len(name)) for c in child.children)
    ]
    return named[0] if len(named) == 1 else None


def _number_county(number: str) -> str:
    """The county (or city) the ID number's first six digits register, if the number is valid."""
    if len(number) != 18 or not checksum_ok(number):
        return ""
    with contextlib.suppress(Exception):  # a code that no edition of GB/T 2260 lists
        return str(ric.get_birth_place(number)["county"])
    return ""


def correct_address_head(text: str, *, number: str = "") -> str:
    """The address with its province, prefecture and county names checked against the register.

    Every address starts with its province: one character before a province (as read, or as put
    right below) is what is left of the 住址 label (read 使, 城, 在, 北 on a small blurred card), and
    goes.

    A name read two or more characters off is put right where the next division names it
    (``_named_by_next``) or, for the county, where the card's own ``number`` (valid) registers
    one of the prefecture's counties there that keeps a character where it was read (科源高 in
    韶关地区 for 翁源县, by 442630): the address is most often where the number was issued, and
    an unregistered county was no county's reading anyway."""
    root = _register()

    def province_at(start: int) -> str | None:
        return _match_place(text, start, root.children, root.children) or _named_by_next(text, start, root)

    if province_at(0) is None and province_at(1) is not None:
        text = text[1:]
    place, pos = root, 0
    for _level in range(3):
        name = _match_place(text, pos, place.children, place.children) or _named_by_next(text, pos, place)
        if name is None:
            county = _number_county(number)  # only where the address gives no name (a lookup)
            if county in place.children and _same_places(text[pos : pos + len(county)], county):
                name = county
        if name is None:
            break
        text = text[:pos] + name + text[pos + len(name) :]
        pos += len(name)
        place = place.children[name]
    return text


@lru_cache(maxsize=1)
def _all_places() -> dict[str, _Place]:
    """Every registered name of any level (a name shared by several places keeps one)."""
    out: dict[str, _Place] = {}

    def walk(place: _Place) -> None:
        for name, child in place.children.items():
            if name not in out:
                out[name] = child
                walk(child)

    walk(_register())
    return out


def correct_authority(text: str) -> str:
    """``X公安局`` / ``X公安局Y分局`` with X a registered place and Y one of X's districts.

    Every resident card is issued by a public security bureau or its branch, so a 局 lost under a
    stamp (or read as a look-alike) is put back, and what follows the bureau's name that is not a
    branch (分局) is a stamp's remains; before a registered place, label remains (严发机) go too.
    """
    head, found, tail = text.partition("公安局")
    if not found:
        head, found, tail = text.partition("公安")
        if not found or len(tail) > 1:
            return text
        found, tail = "公安局", ""
    if not tail.endswith("分局"):
        if "分" in tail and len(tail) >= 3:
            tail = tail[: tail.index("分")] + "分局"
        elif len(tail) <= 2:
            tail = ""
    if not head:
        return head + found + tail
    places = _all_places()
    name = _match_place(head, 0, places)
    if name is None or len(name) != len(head):
        # The longest registered name ending the head, after at most four characters of what
        # can only be the label's remains (some of 签发机关); a misread first character of the
        # place itself (感丰县 for 咸丰县) is not label, and 丰县 would be another county.
        starts = [
            i
            for i in range(1, min(5, len(head) - 1))
            if head[i:] in places and any(ch in "签发机关" for ch in head[:i])
        ]
        # Or one stray character (a stamp's stroke) before a registered name of three or more,
        # when the head as read is no misreading of a registered name either.
        if (
            not starts
            and len(head) >= 4
            and head[1:] in places
            and not any(_one_off(head, n) for n in places)
        ):
            starts = [1]
        if not starts:
            return head + found + tail
        name = head[starts[0] :]
    branch = tail.removesuffix("分局")
    if branch and tail.endswith("分局"):
        # Matched with its 区, so that a two-character district one character off (鸿北 for 河北)
        # is found among the city's districts alone; a branch named by a district's start (滨海 for
        # 滨海新区, one off 静海区) is as printed.
        districts = [n for n in places[name].children if n.endswith("区")]
        fixed = _match_place(branch + "区", 0, districts)
        if (
            fixed is not None
            and len(fixed) == len(branch) + 1
            and not any(n.startswith(branch) for n in districts)
        ):
            tail = fixed[:-1] + "分局"
    return name + found + tail


def nation_choices(text: str) -> tuple[str, ...]:
    """The nations a Nation line could be when what was read is none of the 56 (empty when it is):
    the recogniser's own evidence then chooses among them (``reader.read_lines``)."""
    value, factor = parse_nation(text)
    return () if factor == 1.0 and value else tuple(NATIONS)


def authority_place_choices(text: str) -> tuple[tuple[str, str], ...]:
    """(place as read, registered place) for each registered place an authority's place could be
    when, as read, it is none but one character off several (彰武县 / 宁武县 / 成武县 for 影武县): the
    register alone cannot settle that, the recogniser's own evidence may (``reader.read_lines``).
    Empty when the place is registered as read or only one is that close (``correct_authority``
    takes that one by itself)."""
    head = _place_before_bureau(text)
    places = _all_places()
    if head is None or len(head) < 3 or head in places:
        return ()
    near = sorted({n for n in places if len(n) >= 3 and _one_off(head[: len(n)], n)})
    if len(near) < 2:
        return ()
    return tuple((head[: len(n)], n) for n in near)


def unregistered_authority_place(text: str) -> str | None:
    """The place an authority as read names before 公安 when that is no registered place (None when
    it is one, or when no place was read): the recogniser's own evidence may then find the place
    among all registered ones (``reader.read_lines``)."""
    head = _place_before_bureau(text)
    if head is None or len(head) < 2 or head in _all_places():
        return None
    return head


def _place_before_bureau(text: str) -> str | None:
    """What an authority line as read holds before 公安 (label, stamps and punctuation gone); None
    when no 公安 was read."""
    cleaned = strip_stamps(strip_label(_nfkc(text), "签发机关"))
    head, found, _ = re.sub(r"[^\u3400-\u9fff0-9A-Za-z()（）]", "", cleaned).partition("公安")
    return head if found else None


@lru_cache(maxsize=1)
def registered_places() -> tuple[str, ...]:
    """Every registered place name of two characters or more (provinces, prefectures, counties)."""
    return tuple(sorted(n for n in _all_places() if len(n) >= 2))


def parse_valid_date(text: str) -> tuple[str, float]:
    """The validity period as "2010.07.21-2020.07.21" or "2015.07.24-长期", with a confidence factor."""
    text = strip_stamps(strip_label(_nfkc(text), "有效期限"))
    long_term = "长期" in text or ("长" in text or "期" in text)
    digits = _digits(re.sub("[长期]", "", text))
    if len(digits) >= 16:
        a, b = digits[:8], digits[8:16]
        if _ymd_ok(a) and _ymd_ok(b):
            factor = 1.0 if a[4:] == b[4:] and int(b[:4]) - int(a[:4]) in (5, 10, 20) else 0.6
            return f"{_dotted(a)}-{_dotted(b)}", factor
        if _ymd_shaped(a) and _ymd_shaped(b) and a[4:] == b[4:]:
            # A day that does not exist (02.30, 06.31) printed the same at both ends is what the
            # card says, not a misread: keep it visible to InvalidDateWarn, with low confidence.
            return f"{_dotted(a)}-{_dotted(b)}", 0.3
    if len(digits) == 8 and _ymd_ok(digits) and long_term:
        return f"{_dotted(digits)}-{LONG_TERM}", 1.0 if "长期" in text else 0.7
    return "", 0.0


def _ymd_ok(d: str) -> bool:
    return _valid_date(int(d[:4]), int(d[4:6]), int(d[6:8]))


def _ymd_shaped(d: str) -> bool:
    """Year, month 01-12 and day 01-31: a date's shape, whether or not that day exists."""
    return 1900 <= int(d[:4]) <= 2199 and 1 <= int(d[4:6]) <= 12 and 1 <= int(d[6:8]) <= 31


def _dotted(d: str) -> str:
    return f"{d[:4]}.{d[4:6]}.{d[6:8]}"


# --- the ID number --------------------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

# Digits a recogniser mistakes for each other on the OCR-B number line.
_DIGIT_CONFUSIONS: dict[str, str] = {
    "0": "86",
    "1": "7",
    "2": "7",
    "3": "85",
    "4": "1",
    "5": "6",
    "6": "508",
    "7": "12",
    "8": "3609",
    "9": "8",
    "X": "",
}


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def checksum_ok(number: str) -> bool:
    return (
        len(number) == 18
        and number[:17].isdigit()
        and (number[17].isdigit() or number[17] == "X")
        and check_char(number[:17]) == number[17]
    )


def _birth_digits_ok(number: str) -> bool:
    return number[6:14].isdigit() and _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


@dataclass(frozen=True)
class IdNumberRead:
    value: str  # best reading (may be invalid: then ``certain`` is False)
    certain: bool  # check character and birth digits valid as read (after look-alike mapping)
    corrected: bool  # one digit was changed to make the check character agree
    candidates: tuple[str, ...]  # every valid single-change reading considered


def normalise_id_chars(text: str) -> str:
    """The number line's characters: labels dropped, look-alike letters mapped, X kept only last."""
    text = _nfkc(_strip_all_labels(_nfkc(text)))
    text = strip_stamps(text).upper()
    mapped = text.translate(_DIGIT_LOOKALIKES)
    # K, x and × are the recogniser's ways of reading the check character X.
    mapped = re.sub("[KX×Ⅹ]", "X", mapped)
    mapped = re.sub(r"[^0-9X]", "", mapped)
    if "X" in mapped[:-1]:
        # An X can only be the last character: anywhere else it is noise.
        mapped = mapped[:-1].replace("X", "") + mapped[-1]
    return mapped


def parse_id_number(text: str) -> IdNumberRead:
    """The 18-character number from a line read, corrected only when exactly one reading is valid."""
    raw = normalise_id_chars(text)
    if len(raw) == 18 and checksum_ok(raw) and _birth_digits_ok(raw):
        return IdNumberRead(raw, True, False, (raw,))
    candidates: set[str] = set()
    if len(raw) == 18:
        candidates = set(_single_changes(raw))
    elif len(raw) == 19:
        # One spurious character (a stamp stroke read as a digit): drop each in turn.
        candidates = {
            c for i in range(19) if checksum_ok(c := raw[:i] + raw[i + 1 :]) and _birth_digits_ok(c)
        }
    cands = tuple(sorted(candidates))
    if len(cands) == 1:
        return IdNumberRead(cands[0], False, True, cands)
    return IdNumberRead(raw, False, False, cands)


def _single_changes(raw: str) -> Iterable[str]:
    """Valid numbers differing from ``raw`` in one confusable character (or the check character)."""
    for i, ch in enumerate(raw):
        if i == 17:
            c = raw[:17] + check_char(raw[:17]) if raw[:17].isdigit() else ""
            if c and c != raw and _birth_digits_ok(c):
                yield c
            continue
        for alt in _DIGIT_CONFUSIONS.get(ch, ""):
            c = raw[:i] + alt + raw[i + 1 :]
            if checksum_ok(c) and _birth_digits_ok(c):
                yield c


def birth_from_number(number: str) -> str:
    """The Birth field ("1987/1/1") the number encodes."""
    return f"{int(number[6:10])}/{int(number[10:12])}/{int(number[12:14])}"


def sex_from_number(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


@dataclass(frozen=True)
class Reconciled:
    id_num: str
    birth: str
    sex: str
    id_confidence: float
    birth_confidence: float
    sex_confidence: float


def reconcile(
    *,
    number: IdNumberRead,
    id_score: float,
    birth: str,
    birth_score: float,
    sex: str,
    sex_score: float,
) -> Reconciled:
    """Make IdNum, Birth and Sex agree, preferring the self-consistent reading (EnableRecognitionRectify).

    A number whose check character holds is far stronger evidence than a printed date read alone, so
    a certain number wins; an uncertain number is resolved by the candidate that agrees with the
    printed Birth and Sex, and left uncertain (low confidence) when none or several do.
    """
    if number.certain:
        agree = birth_from_number(number.value) == birth and sex_from_number(number.value) == sex
        conf = id_score if agree else id_score * 0.9
        return Reconciled(
            number.value,
            birth_from_number(number.value),
            sex_from_number(number.value),
            conf,
            max(birth_score, conf) if birth_from_number(number.value) == birth else conf * 0.9,
            max(sex_score, conf) if sex_from_number(number.value) == sex else conf * 0.9,
        )
    fitting = [c for c in number.candidates if birth_from_number(c) == birth and sex_from_number(c) == sex]
    if len(fitting) == 1:
        c = fitting[0]
        return Reconciled(c, birth, sex, min(id_score, 0.85) * 0.9, birth_score, sex_score)
    if number.corrected:
        c = number.value
        return Reconciled(
            c,
            birth_from_number(c),
            sex_from_number(c),
            min(id_score, 0.6) * 0.8,
            birth_score * 0.8,
            sex_score * 0.8,
        )
    return Reconciled(number.value, birth, sex, min(id_score, 0.3) * 0.5, birth_score, sex_score)


def raw_id_confidence(number: IdNumberRead, score: float) -> float:
    """The number's confidence without reconciliation."""
    if number.certain:
        return score
    if number.corrected:
        return min(score, 0.6) * 0.8
    return min(score, 0.3) * 0.5
