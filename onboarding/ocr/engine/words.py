"""What addresses are made of: a prior for an address character the recogniser is unsure of.

Past its registered head (province, city, county: ``parsing.correct_address_head``) an address
names a town, a street, a village and a group. No register of those ships offline, but they are
made of ordinary words (杨柳村, 石桥镇, 新民街道), and a misread character seldom makes one with
its neighbours: on a small blurred card 杨柳村 was read 杨郴村, 郴 at 0.30 beside 柳 at 0.12, and
杨柳 is a word where 杨郴 is none. jieba's dictionary (PyPI; 349 000 words counted over a large
corpus, place names among them) says which two characters make a word.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def two_character_words() -> frozenset[str]:
    """Every two-character Han word of jieba's dictionary (about 114 000; some 15 MB, loaded on first use)."""
    with (resources.files("jieba") / "dict.txt").open(encoding="utf-8") as lines:
        # "word count tag" per line; a two-character word's line starts with it and a space
        return frozenset(
            line[:2] for line in lines if line[2:3] == " " and _is_han(line[0]) and _is_han(line[1])
        )


def makes_word(before: str, ch: str, after: str) -> bool:
    """Whether ``ch`` makes a word with the character before it or the one after it ("" for none)."""
    known = two_character_words()
    return (bool(before) and before + ch in known) or (bool(after) and ch + after in known)
