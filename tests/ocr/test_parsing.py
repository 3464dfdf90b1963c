"""The engine's field parsers: what the recogniser reads (labels glued on, stamps, look-alikes) in,
the contract's values out."""

from __future__ import annotations

import pytest

from onboarding.identity import is_valid_checksum
from onboarding.ocr.engine import parsing

# --- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("李明", "李明"),
        ("姓名李明", "李明"),
        ("姓 名 欧阳娜娜", "欧阳娜娜"),
        ("名王秀英", "王秀英"),
        ("姓魏超鑫", "魏超鑫"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("帕提古丽 · 司马义", "帕提古丽·司马义"),
        ("李明复印无效", "李明"),
        ("李复印明", "李明"),
        ("姓·名石秀敏", "石秀敏"),  # the label's spacing read as a dot
        ("性别男", ""),  # the row below the name's: another field's label, no name
        ("出生1990年", ""),
    ],
)
def test_it_parses_names(read: str, expected: str) -> None:
    assert parsing.parse_name([read]) == expected


# --- sex and nation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "expected"), [("男", "男"), ("性别女", "女"), ("别 男", "男"), ("", ""), ("x", "")]
)
def test_it_parses_sex(read: str, expected: str) -> None:
    assert parsing.parse_sex(read) == expected


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("汉", "汉"),
        ("民族汉", "汉"),
        ("汉族", "汉"),
        ("族土家", "土家"),
        ("维吾尔", "维吾尔"),
        ("柯尔克孜族", "柯尔克孜"),
        ("民族 乌孜别克", "乌孜别克"),
        ("禁止复印蒙古", "蒙古"),
        ("维吾", "维吾尔"),  # one character lost: the nearest of the 56, and only it
        ("术民族汉上", "汉"),  # the label after a stamp's stroke, a stamp's remains after the value
        ("土家上", "土家"),
        ("化佬", "化佬"),  # one character off both 仡佬 and 仫佬: left as read
    ],
)
def test_it_parses_nations_without_zu(read: str, expected: str) -> None:
    nation, factor = parsing.parse_nation(read)
    assert nation == expected
    assert 0 < factor <= 1


def test_it_lowers_confidence_for_an_unknown_nation() -> None:
    nation, factor = parsing.parse_nation("火星人")
    assert factor < 0.5
    assert "族" not in nation


@pytest.mark.parametrize(
    ("row", "sex", "nation"),
    [
        ("性别男民族汉", "男", "汉"),
        ("性别 女 民族 土家", "女", "土家"),
        ("男 族回", "男", "回"),
        ("女汉", "女", "汉"),
    ],
)
def test_it_splits_a_row_read_whole(row: str, sex: str, nation: str) -> None:
    left, _, right = parsing.split_sex_nation(row)
    assert parsing.parse_sex(left) == sex
    assert parsing.parse_nation(right)[0] == nation


# --- birth and validity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("1987年1月1日", "1987/1/1"),
        ("出生1987 年 1 月 1 日", "1987/1/1"),
        ("1987年01月01日", "1987/1/1"),
        ("2019 年 12 月 29 日", "2019/12/29"),
        ("l987年1O月3日", "1987/10/3"),
        ("19870101", "1987/1/1"),
    ],
)
def test_it_parses_birth(read: str, expected: str) -> None:
    assert parsing.parse_birth(read)[0] == expected


def test_it_refuses_an_impossible_birth() -> None:
    assert parsing.parse_birth("1987年2月30日") == ("", 0.0)


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("2010.07.21-2020.07.21", "2010.07.21-2020.07.21"),
        ("有效期限2010.07.21-2020.07.21", "2010.07.21-2020.07.21"),
        ("2010.07.21—2020.07.21", "2010.07.21-2020.07.21"),
        ("2010．07．21－2020．07．21", "2010.07.21-2020.07.21"),
        ("2015.07.24-长期", "2015.07.24-长期"),
        ("2015.07.24-长", "2015.07.24-长期"),
        ("20100721-20200721", "2010.07.21-2020.07.21"),
    ],
)
def test_it_normalises_valid_dates(read: str, expected: str) -> None:
    assert parsing.parse_valid_date(read)[0] == expected


def test_it_doubts_a_validity_span_the_law_does_not_give() -> None:
    _, sure = parsing.parse_valid_date("2010.07.21-2020.07.21")
    _, odd = parsing.parse_valid_date("2010.07.21-2017.03.02")
    assert sure == 1.0
    assert odd < sure


# --- address and authority -------------------------------------------------------------------------


def test_it_joins_address_lines_and_drops_label_and_stamps() -> None:
    lines = ["住址广西壮族自治区南宁市青", "秀区民族大道复印无效100号", "3单元502室"]
    assert parsing.parse_address(lines) == "广西壮族自治区南宁市青秀区民族大道100号3单元502室"


def test_it_keeps_four_address_lines() -> None:
    lines = ["北京市石景山区高新技术", "园腾讯大楼一号楼二单元", "三层三百零一室附一号", "院内"]
    assert parsing.parse_address(lines) == "".join(lines)


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("赵县公安局", "赵县公安局"),
        ("签发机关赵县公安局", "赵县公安局"),
        ("机关深圳市公安局南山分局", "深圳市公安局南山分局"),
        ("关岭县公安局", "关岭县公安局"),
        ("禁止复印赵县公安局", "赵县公安局"),
        ("赵县公安局复印", "赵县公安局"),
    ],
)
def test_it_parses_authorities(read: str, expected: str) -> None:
    assert parsing.parse_authority(read) == expected


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        # one character off a registered district of the city read before 公安局
        ("聊城市公安局东岛府分局", "聊城市公安局东昌府分局"),
        ("北京市公安局石景出分局", "北京市公安局石景山分局"),
        ("天津市公安局鸿北分局", "天津市公安局河北分局"),  # a two-character district, by its 区
        ("天津市公安局河南分局", "天津市公安局河南分局"),  # one off 河北, 河东 and 河西: as read
        ("天津市公安局滨海分局", "天津市公安局滨海分局"),  # 滨海新区's, not 静海区's
        # a 局 lost under a stamp or read as a look-alike; a stamp's remains after the bureau
        ("东辽县公安止复印", "东辽县公安局"),
        ("贵德县公安展", "贵德县公安局"),
        ("嘉荫县公安局上", "嘉荫县公安局"),
        ("昆明市公安局盘龙分", "昆明市公安局盘龙分局"),
        # label remains before a registered place
        ("严发机闽侯县公安局", "闽侯县公安局"),
        ("感丰县公安局", "感丰县公安局"),  # 感 is no label remains: 丰县 is another county
        ("夏城固县公安局", "城固县公安局"),  # a stamp's stroke before a registered county
        # two registered counties are one character off (濉溪县, 泸溪县): left as read
        ("滩溪县公安局", "滩溪县公安局"),
        # a name the register lacks, read as printed, is never replaced by a distant one
        ("前海管理局公安局", "前海管理局公安局"),
    ],
)
def test_it_puts_authority_place_names_right_only_when_one_registered_name_fits(
    read: str, expected: str
) -> None:
    assert parsing.parse_authority(read) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["湖南省湘西土家族苗族自沧州古文县开", "发区王庄村4组51号"],
            "湖南省湘西土家族苗族自治州古丈县开发区王庄村4组51号",
        ),
        (["安徽省淮北市滩溪县人民路1号"], "安徽省淮北市濉溪县人民路1号"),  # one county of 淮北 fits
        (
            ["广西壮族自治区玉林地区博白县东关街道杨郴村"],
            "广西壮族自治区玉林地区博白县东关街道杨郴村",
        ),  # past the county: as read
        (["北京市朝阳区建国路1号"], "北京市朝阳区建国路1号"),
        (["·陕西省渭南市临渭区开发区王庄村"], "陕西省渭南市临渭区开发区王庄村"),  # a speck before it
        (["湖北省仙桃市新华路1号"], "湖北省仙桃市新华路1号"),
        # several prefectures one off (朔州市, 忻州市, 霍州市): the county that follows decides
        (["山西省翔州市山阴县人民路134号"], "山西省朔州市山阴县人民路134号"),
        (["冯南省开封市尉氏题东关街道新民村"], "河南省开封市尉氏县东关街道新民村"),
        (["青海省玉树硬族自治州曲麻莱县城关镇"], "青海省玉树藏族自治州曲麻莱县城关镇"),
        (["山西省翔州市人民路134号"], "山西省翔州市人民路134号"),  # nothing decides: as read
        # the label's remains before the province (址 read 使 / 在)
        (["使辽宁省营口市站前区建设路251号"], "辽宁省营口市站前区建设路251号"),
        (["在四川省成都市蒲江县工农路277号"], "四川省成都市蒲江县工农路277号"),
        # ... before a province itself misread, which its prefecture names
        (["北广西社旗自治区桂林市秀峰区南湖街道李家村"], "广西壮族自治区桂林市秀峰区南湖街道李家村"),
    ],
)
def test_it_puts_the_address_head_right_against_the_register(lines: list[str], expected: str) -> None:
    assert parsing.parse_address(lines) == expected


def test_a_province_two_characters_off_is_named_by_the_prefecture_that_follows_it() -> None:
    # only 安徽省 holds 安庆市, and 安 stands where it was read
    assert parsing.parse_address(["安聚客安庆市大观区人民路734号"]) == "安徽省安庆市大观区人民路734号"
    # no division of its own follows: as read
    assert parsing.parse_address(["安聚客人民路734号"]) == "安聚客人民路734号"


def _valid_number(first17: str) -> str:
    return first17 + parsing.check_char(first17)


def test_an_unregistered_county_is_the_one_the_cards_number_registers_there() -> None:
    number = _valid_number("44263019590502734")  # 442630: 翁源县, in 韶关地区
    assert parsing.parse_address(["广东省韶关地区科源高工农路360号"], number=number) == (
        "广东省韶关地区翁源县工农路360号"
    )
    # without the number, or with one that fails its check, nothing decides
    assert parsing.parse_address(["广东省韶关地区科源高工农路360号"]) == "广东省韶关地区科源高工农路360号"
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert parsing.parse_address(["广东省韶关地区科源高工农路360号"], number=broken) == (
        "广东省韶关地区科源高工农路360号"
    )
    # a registered county stays, wherever the number was issued (people move)
    assert parsing.parse_address(["广东省韶关地区乳源瑶族自治县工农路"], number=number) == (
        "广东省韶关地区乳源瑶族自治县工农路"
    )
    # the number's county must keep a character where the address was read
    assert (
        parsing.parse_address(["广东省韶关地区甲乙丙工农路"], number=number) == "广东省韶关地区甲乙丙工农路"
    )


# --- the ID number ---------------------------------------------------------------------------------

VALID = "440524198701010014"


def test_it_accepts_a_valid_number_as_certain() -> None:
    read = parsing.parse_id_number(VALID)
    assert (read.value, read.certain, read.corrected) == (VALID, True, False)


@pytest.mark.parametrize(
    "read",
    [
        "44O524198701010014",  # O for 0
        "440524l98701010014",  # l for 1
        "44052419870I010014",  # I for 1
        "公民身份号码440524198701010014",
        "4405 2419 8701 0100 14",
    ],
)
def test_it_maps_look_alike_letters(read: str) -> None:
    result = parsing.parse_id_number(read)
    assert result.value == VALID
    assert result.certain


def test_it_keeps_x_only_as_the_check_character() -> None:
    number = "11010519491231002X"
    assert parsing.parse_id_number(number.lower()).value == number
    assert parsing.normalise_id_chars("1101X0519491231002X") == number


def test_it_corrects_one_digit_only_when_one_reading_is_valid() -> None:
    # Change one digit to a look-alike; if exactly one single change restores a valid number the
    # parser returns it flagged as corrected, otherwise it keeps the read and is not certain.
    wrong = VALID[:10] + "8" + VALID[11:]  # 0 -> 8 in the month
    result = parsing.parse_id_number(wrong)
    assert not result.certain
    if len(result.candidates) == 1:
        assert result.corrected
        assert is_valid_checksum(result.value)
    else:
        assert not result.corrected
        assert result.value == wrong


def test_it_never_returns_an_invalid_number_as_certain() -> None:
    for i in range(17):
        for d in "0123456789":
            number = VALID[:i] + d + VALID[i + 1 :]
            result = parsing.parse_id_number(number)
            if result.certain:
                assert is_valid_checksum(result.value)


def test_it_drops_one_spurious_character() -> None:
    result = parsing.parse_id_number(VALID[:9] + "7" + VALID[9:])
    assert len(result.value) == 18
    if result.corrected:
        assert is_valid_checksum(result.value)


# --- reconciliation --------------------------------------------------------------------------------


def test_it_reconciles_birth_and_sex_with_a_certain_number() -> None:
    number = parsing.parse_id_number(VALID)
    rec = parsing.reconcile(
        number=number, id_score=0.99, birth="1987/7/1", birth_score=0.9, sex="女", sex_score=0.9
    )
    assert (rec.id_num, rec.birth, rec.sex) == (VALID, "1987/1/1", "男")
    assert rec.id_confidence > 0.8


def test_it_picks_the_candidate_agreeing_with_birth_and_sex() -> None:
    # Misread one digit in each position in turn: where exactly one valid single change agrees with
    # the printed Birth and Sex, reconciliation restores the number (with less than full confidence);
    # where several agree it keeps the read and says it is unsure.
    restored = unsure = 0
    for i in range(18):
        for d in "0123456789":
            wrong = VALID[:i] + d + VALID[i + 1 :]
            if wrong == VALID:
                continue
            number = parsing.parse_id_number(wrong)
            rec = parsing.reconcile(
                number=number, id_score=0.99, birth="1987/1/1", birth_score=0.99, sex="男", sex_score=0.99
            )
            if rec.id_num == VALID:
                restored += 1
                assert rec.id_confidence < 0.9
            elif not is_valid_checksum(rec.id_num):
                unsure += 1
                assert rec.id_confidence < 0.5
    assert restored > 0
    assert unsure > 0


def test_it_says_so_when_the_number_stays_unsure() -> None:
    number = parsing.parse_id_number("4405241987010100")  # two digits lost
    rec = parsing.reconcile(
        number=number, id_score=0.99, birth="1987/1/1", birth_score=0.99, sex="男", sex_score=0.99
    )
    assert rec.id_confidence < 0.5
    assert parsing.raw_id_confidence(number, 0.99) < 0.5


def test_it_returns_simplified_characters() -> None:
    assert parsing.parse_name(["毛雪強"]) == "毛雪强"
    assert parsing.parse_address(["廣東省深圳市南山區"]) == "广东省深圳市南山区"


def test_it_offers_every_nation_only_for_a_nation_read_as_none() -> None:
    assert parsing.nation_choices("汉") == ()
    assert parsing.nation_choices("民族仡佬") == ()
    choices = parsing.nation_choices("±")  # 土 read as a plus-minus sign
    assert "土" in choices
    assert len(choices) == 56


@pytest.mark.parametrize(
    ("read", "as_read", "some"),
    [
        ("影武县公安局", "影武县", {"彰武县", "宁武县", "成武县"}),
        ("签发机关邢江县公安局", "邢江县", {"邗江县", "靖江县"}),
        ("滩溪县公安局", "滩溪县", {"濉溪县", "泸溪县"}),
    ],
)
def test_it_offers_the_registered_places_an_unregistered_authority_place_is_one_off(
    read: str, as_read: str, some: set[str]
) -> None:
    choices = parsing.authority_place_choices(read)
    assert {read for read, _ in choices} == {as_read}
    assert some <= {name for _, name in choices}


@pytest.mark.parametrize(
    "read",
    [
        "彰武县公安局",  # registered as read
        "聊城市公安局东昌府分局",
        "贵德县公安展",  # no 公安局 read whole: correct_authority's to put right
        "前海管理局公安局",  # nothing registered is one off
        "复印无效",
    ],
)
def test_it_offers_no_places_when_the_register_settles_it_or_cannot_help(read: str) -> None:
    assert parsing.authority_place_choices(read) == ()
