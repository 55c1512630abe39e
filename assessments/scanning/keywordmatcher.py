"""Which registered keywords a line holds, found with one trie-shaped regex."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# A trie of keywords: each character leads to the node of the words that continue with it;
# the empty string marks the end of a keyword.
_Trie = dict[str, "_Trie"]


class KeywordMatcher:
    """Finds which registered fixed strings occur in a line, overlapping ones included.

    The keywords are compiled into one regex shaped like a trie (``mlflow\\.(?:log_|reg...)``)
    inside a lookahead, so every position of a line is tried once against shared prefixes
    instead of against hundreds of alternatives; the longest keyword starting at a position
    also stands for the shorter keywords that are its prefixes. Lines repeat a lot in code
    (imports above all), so answers are cached, within a bound.
    """

    CACHE_SIZE = 50_000

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(sorted(set(keywords)))
        if any(len(keyword) < 3 for keyword in self.keywords):
            raise ValueError("Keywords must be at least three characters long.")
        self._regex = re.compile("(?=(" + _trie_pattern(self.keywords) + "))")
        self._prefixes = {
            keyword: frozenset(k for k in self.keywords if keyword.startswith(k))
            for keyword in self.keywords
        }
        self._cache: dict[str, frozenset[str]] = {}

    @classmethod
    @functools.lru_cache(maxsize=8)
    def for_keywords(cls, keywords: frozenset[str]) -> KeywordMatcher:
        """One shared matcher per keyword set: compiling the trie is not free."""
        return cls(keywords)

    def matches(self, line: str) -> frozenset[str]:
        cached = self._cache.get(line)
        if cached is not None:
            return cached
        found: set[str] = set()
        prefixes = self._prefixes
        for match in self._regex.finditer(line):
            found |= prefixes[match.group(1)]
        result = frozenset(found)
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()
        self._cache[line] = result
        return result


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, factored by common prefixes."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = [re.escape(char) + build(node[char]) for char in sorted(c for c in node if c)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a keyword ends here; longer ones are tried first
            body = f"(?:{body})?"
        return body

    return build(root)
