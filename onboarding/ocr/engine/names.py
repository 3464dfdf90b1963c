"""What Chinese names are made of: a prior for a name character the recogniser is unsure of.

On a small or blurred card the recogniser often hesitates between two look-alike characters, and
the one it prefers is often one no name is made of (黄子磊 read 美子品 with 磊 at 0.33 beside 品 at
0.37; 李 beside 享). Names are not a closed list, but their characters nearly are: a surname is
one of a few hundred, and a given name's characters follow a steep frequency (晓 is 600 times as
common in given names as 境). ``name_prior`` scores a character at a place in a name by that.
"""

from __future__ import annotations

import math
from functools import lru_cache

from onboarding.ocr.engine._name_characters import GIVEN_NAME_COUNTS

# The Hundred Family Surnames (百家姓) and the common surnames it lacks or spells otherwise today.
_CLASSIC = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双"
    "闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空"
    "曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公晋楚闫法汝鄢涂钦归海岳帅缑亢况郈有琴商牟佘佴伯赏"
    "墨哈谯笪年爱阳佟言福"
)
_MODERN = "肖付覃韦闫粟揭练莫蒙"
SURNAMES = frozenset(_CLASSIC + _MODERN)
DOUBLE_SURNAMES = frozenset(
    (
        "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊",
        "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐",
        "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "端木", "呼延",
        "南宫", "拓跋", "第五", "百里", "东郭", "西门", "独孤",
    )
)  # fmt: skip

# The hundred commonest surnames (the Ministry of Public Security's 2007 count of registered
# residents, in order): some 85 % of people bear one of them, so each is borne by about 0.85 %,
# and a listed surname outside them by about 0.03 % (the few hundred others share the rest).
COMMONEST_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤"
)
_LESS_COMMON_SURNAME = math.log(1 / 30)
# log-prior of a character that is not a surname, at a name's first place: a name starting with one
# exists (a rare surname, a transliteration) but is far less likely than one of the list.
_NOT_SURNAME = math.log(1e-3)


@lru_cache(maxsize=1)
def _given_counts() -> tuple[dict[str, int], int]:
    counts: dict[str, int] = {}
    for token in GIVEN_NAME_COUNTS.split():
        counts[token[0]] = int(token[1:])
    return counts, sum(counts.values())


def given_prior(ch: str) -> float:
    """log P(``ch``) among the characters of given names (a character never seen gets one half
    of the rarest's count)."""
    counts, total = _given_counts()
    return math.log(counts.get(ch, 0.5) / total)


def surname_prior(ch: str) -> float:
    """log-prior of ``ch`` as a one-character surname, against one of the hundred commonest (0):
    another listed surname is a thirtieth as likely, any other character far less."""
    if ch in COMMONEST_SURNAMES:
        return 0.0
    return _LESS_COMMON_SURNAME if ch in SURNAMES else _NOT_SURNAME
