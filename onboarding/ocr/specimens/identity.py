"""Random but valid identities for drawn specimen cards (no Django imports).

Region codes come from python-stdnum's GB/T 2260 table (``stdnum/cn/loc.dat``) so every generated
number passes ``stdnum.cn.ric.validate``: the county existed in the holder's birth year, the order
code's parity matches the sex and the check character is ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import stdnum

__all__ = [
    "NATIONS",
    "Identity",
    "Region",
    "id_check_char",
    "random_identity",
    "regions",
    "with_invalid_validity",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


# The 56 recognised groups as printed on the card (without 族). 汉 dominates real populations;
# the rest share a small weight so rare and four-character names still turn up in small samples.
NATIONS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
)
_DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐")
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅春晓晨宇浩然子轩欣怡雨涵梓涵思"
    "博文佳琪嘉怡宏海波鹏辉亮飞鑫婷雪琳颖瑶倩丹萍凤玲慧莉晶燕华东南光辰泽昊天俊凯旭阳立新振斌成龙"
)
_UYGHUR_FIRST = (
    "买买提", "阿不都拉", "艾尔肯", "古丽", "热依拉", "阿依古丽", "努尔", "吐尔逊", "米热", "帕提古丽",
    "阿迪力", "迪丽热巴", "依力哈木", "阿力木", "再努尔",
)  # fmt: skip
_UYGHUR_SECOND = (
    "艾力", "吐尔逊", "买买提", "阿不都", "热合曼", "依明", "卡德尔", "司马义", "玉素甫", "阿吾提",
    "肉孜", "托乎提",
)  # fmt: skip
_STREETS = (
    "人民路", "解放路", "中山路", "建设路", "和平街", "新华大街", "胜利路", "文化路", "光明街",
    "幸福路", "朝阳路", "长江路", "黄河路", "青年路", "东风路", "工农路", "花园街", "学府路",
)  # fmt: skip
_TOWNS = ("城关镇", "新城镇", "东关街道", "西街街道", "南湖街道", "北山乡", "高新区", "开发区")
_VILLAGES = ("王庄村", "李家村", "张湾村", "新民村", "红星村", "前进村", "杨柳村", "石桥村")
_MUNICIPALITIES = ("11", "12", "31", "50")
# 台湾, 香港, 澳门 have codes in the table but their residents hold no mainland resident card.
_NOT_ISSUING = {"71", "81", "82"}
_NOT_PLACES = {
    "市辖区", "县", "郊区", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位", "自治区直辖县级行政单位",
    "省直辖县级行政单位",
}  # fmt: skip


@dataclass(frozen=True)
class Region:
    """One county-level entry of the GB/T 2260 table with the years it was in use."""

    code: str
    province: str
    prefecture: str  # "" for municipalities and directly administered counties
    county: str
    start: int | None
    end: int | None

    def valid_in(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


def _parse_names(raw: str) -> list[tuple[str, int | None, int | None]]:
    """``[-1991]东郊区,[1992-]东丽区`` -> [(name, start, end), ...]."""
    out: list[tuple[str, int | None, int | None]] = []
    for part in raw.split(","):
        m = re.fullmatch(r"\[(\d*)-(\d*)\](.+)", part)
        if m:
            out.append(
                (m.group(3), int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)
            )
        else:
            out.append((part, None, None))
    return out


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """County-level regions read from python-stdnum's ``cn/loc.dat`` (the data stdnum validates with)."""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    province = ""
    prov_code = ""
    prefectures: dict[str, str] = {}
    counties: list[tuple[str, str, str]] = []  # (code, province, raw names)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r'^(\s*)(\d+) \w+="(.*)"', line)
        if not m:
            continue
        indent, code, raw = m.groups()
        if not indent:
            prov_code, province = code, raw
            continue
        full = prov_code + code
        if full.endswith("00"):
            # The current (last) name of the prefecture is what addresses print today.
            prefectures[full[:4]] = _parse_names(raw)[-1][0]
        else:
            counties.append((full, province, raw))
    out: list[Region] = []
    for code, prov, raw in counties:
        pref = prefectures.get(code[:4], "")
        if code[:2] in _NOT_ISSUING:
            continue
        if pref in _NOT_PLACES or code[:2] in _MUNICIPALITIES:
            pref = ""
        for name, start, end in _parse_names(raw):
            if name in _NOT_PLACES:
                continue
            out.append(Region(code, prov, pref, name, start, end))
    return tuple(out)


@lru_cache(maxsize=1)
def _regions_by_province() -> dict[str, tuple[Region, ...]]:
    groups: dict[str, list[Region]] = {}
    for region in regions():
        groups.setdefault(region.code[:2], []).append(region)
    return {k: tuple(v) for k, v in groups.items()}


@dataclass(frozen=True)
class Identity:
    """A specimen card holder: what both sides print, in natural types."""

    name: str
    sex: str  # 男 / 女
    nation: str  # without 族
    birth: date
    address: str
    id_num: str
    authority: str
    valid_from: date
    valid_to: date | None  # None = 长期
    region: Region
    # What the back prints instead of the dates above, for tampered or mis-issued cards (a validity
    # that cannot be right, e.g. "2015.06.31-2035.06.31"); None on every genuine card.
    printed_valid_date: str | None = None

    def valid_date_text(self) -> str:
        if self.printed_valid_date is not None:
            return self.printed_valid_date
        end = "长期" if self.valid_to is None else self.valid_to.strftime("%Y.%m.%d")
        return f"{self.valid_from.strftime('%Y.%m.%d')}-{end}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def contract_fields(self) -> dict[str, str]:
        """The eight fields exactly as the IDCardOCR contract formats them."""
        return {
            "Name": self.name,
            "Sex": self.sex,
            "Nation": self.nation,
            "Birth": f"{self.birth.year}/{self.birth.month}/{self.birth.day}",
            "Address": self.address,
            "IdNum": self.id_num,
            "Authority": self.authority,
            "ValidDate": self.valid_date_text(),
        }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _span_years(age_at_issue: int) -> int | None:
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def _random_name(rng: random.Random, *, uyghur: bool) -> str:
    if uyghur:
        name = f"{rng.choice(_UYGHUR_FIRST)}·{rng.choice(_UYGHUR_SECOND)}"
        return name if len(name) <= 10 else name[:10]
    surname = rng.choice(_DOUBLE_SURNAMES) if rng.random() < 0.04 else rng.choice(_SURNAMES)
    given_len = 1 if rng.random() < 0.3 else 2
    if len(surname) == 1 and rng.random() < 0.03:
        given_len = 3
    return surname + "".join(rng.choice(_GIVEN) for _ in range(given_len))


def _random_address(rng: random.Random, region: Region) -> str:
    head = region.province + region.prefecture + region.county
    if rng.random() < 0.35:
        tail = rng.choice(_TOWNS) + rng.choice(_VILLAGES)
        if rng.random() < 0.6:
            tail += f"{rng.randint(1, 12)}组"
        if rng.random() < 0.5:
            tail += f"{rng.randint(1, 199)}号"
    else:
        tail = rng.choice(_STREETS) + f"{rng.randint(1, 999)}号"
        if rng.random() < 0.5:
            tail += f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        elif rng.random() < 0.3:
            tail += f"{rng.randint(1, 9)}号楼"
    address = head + tail
    if len(address) > 40:
        address = (head + tail)[:40]
        address = address.rstrip("0123456789栋单元室号楼组")
        if len(address) < 10:
            address = head[:40]
    return address


def _authority(region: Region) -> str:
    county = region.county
    if county.endswith("区") and len(county) > 2:
        city = region.prefecture or region.province
        authority = f"{city}公安局{county[:-1]}分局"
        if len(authority) <= 15:
            return authority
    return f"{county}公安局"


def random_identity(rng: random.Random, *, today: date, valid_on: date | None = None) -> Identity:
    """A random holder with a real region code, a correct check character and a consistent validity.

    ``valid_on`` forces the card to be in its validity period on that day; otherwise expired and
    valid cards both occur.
    """
    uyghur = rng.random() < 0.05
    if uyghur:
        nation = rng.choice(("维吾尔", "维吾尔", "哈萨克", "柯尔克孜", "乌孜别克", "塔吉克"))
    elif rng.random() < 0.85:
        nation = "汉"
    else:
        nation = rng.choice(NATIONS[1:])
    sex = rng.choice(("男", "女"))
    age = rng.randint(1, 90)
    birth = today - timedelta(days=365 * age + rng.randint(0, 364))
    if birth.month == 2 and birth.day == 29:
        birth = birth.replace(day=28)

    by_prov = _regions_by_province()
    # Provinces whose codes only appeared after the birth year (海南 1988, 重庆 1997) are skipped.
    choices = [p for p in sorted(by_prov) if any(r.valid_in(birth.year) for r in by_prov[p])]
    prov_code = "65" if uyghur else rng.choice(choices)
    pool = [r for r in by_prov[prov_code] if r.valid_in(birth.year)]
    current = [r for r in pool if r.end is None]
    region = rng.choice(current or pool)

    order = rng.randrange(1 if sex == "男" else 0, 996, 2)
    first17 = f"{region.code}{birth.strftime('%Y%m%d')}{order:03d}"
    id_num = first17 + id_check_char(first17)

    valid_from, valid_to = _random_validity(rng, birth=birth, today=today, valid_on=valid_on)
    return Identity(
        name=_random_name(rng, uyghur=uyghur),
        sex=sex,
        nation=nation,
        birth=birth,
        address=_random_address(rng, region),
        id_num=id_num,
        authority=_authority(region),
        valid_from=valid_from,
        valid_to=valid_to,
        region=region,
    )


def _random_validity(
    rng: random.Random, *, birth: date, today: date, valid_on: date | None
) -> tuple[date, date | None]:
    earliest = max(birth + timedelta(days=30), date(2004, 1, 1), today - timedelta(days=365 * 45))
    if earliest > today:
        earliest = birth + timedelta(days=1)
    latest = valid_on if valid_on is not None else today
    for _ in range(100):
        start = max(earliest, valid_on - timedelta(days=365 * 20)) if valid_on is not None else earliest
        span_days = max((latest - start).days, 0)
        issue = start + timedelta(days=rng.randint(0, span_days))
        if issue.month == 2 and issue.day == 29:
            continue
        span = _span_years(_age_on(birth, issue))
        end = None if span is None else _add_years(issue, span)
        if valid_on is None or end is None or end > valid_on:
            return issue, end
    issue = valid_on or today
    span = _span_years(_age_on(birth, issue))
    return issue, None if span is None else _add_years(issue, span)


def with_invalid_validity(identity: Identity, rng: random.Random) -> Identity:
    """The same holder with a printed validity that cannot be right (for InvalidDateWarn).

    One of: the end before the start, a span that no age gives (7 or 15 years), or a day that does
    not exist (31 June, 30 February).
    """
    start = identity.valid_from
    kind = rng.choice(("end_before_start", "wrong_span", "impossible_date"))
    if kind == "end_before_start":
        end = _add_years(start, -rng.choice((1, 5, 10)))
        text = f"{start:%Y.%m.%d}-{end:%Y.%m.%d}"
    elif kind == "wrong_span":
        end = _add_years(start, rng.choice((7, 15)))
        text = f"{start:%Y.%m.%d}-{end:%Y.%m.%d}"
    else:
        month, day = rng.choice(((6, 31), (2, 30), (4, 31), (9, 31), (11, 31)))
        year = start.year
        text = f"{year}.{month:02d}.{day:02d}-{year + 20}.{month:02d}.{day:02d}"
    return replace(identity, printed_valid_date=text)
