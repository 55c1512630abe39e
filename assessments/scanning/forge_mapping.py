"""Which team each listed repository goes to, and what an import would do: pure, so the
preview and the import decide the same way and nothing is created by a preview.

Rules, one a line (``#`` starts a comment), written ``KIND:PATTERN = team-slug``:

- ``repo:acme/churn-model = churn``: by hand, one repository by its full name; these win;
- ``topic:fraud = fraud-detection``: a repository with that topic;
- ``name:fraud-* = fraud-detection``: a glob on the repository's name or full name;
- ``regex:^search[-_] = search``: a regular expression searched in the full name.

The first matching rule (after the by-hand ones) decides. CODEOWNERS teams are not read: that
would cost one API call per repository; a ``repo:`` or ``name:`` rule does the same job.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .forge_listing import ForgeError, ForgeRepo

RULE_KINDS = ("repo", "topic", "name", "regex")
MAX_RULES = 500
MAX_PATTERN = 200

CREATE = "create"
EXISTS = "exists"
UNMAPPED = "unmapped"
ARCHIVED = "archived"
FORK = "fork"
ACTIONS = (CREATE, EXISTS, UNMAPPED, ARCHIVED, FORK)


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: str
    team: str
    line: int

    def matches(self, repo: ForgeRepo) -> bool:
        name = repo.full_name.rsplit("/", 1)[-1]
        if self.kind == "repo":
            return repo.full_name.lower() == self.pattern.lower()
        if self.kind == "topic":
            return self.pattern.lower() in (t.lower() for t in repo.topics)
        if self.kind == "name":
            pattern = self.pattern.lower()
            return fnmatch.fnmatchcase(name.lower(), pattern) or fnmatch.fnmatchcase(
                repo.full_name.lower(), pattern
            )
        return re.search(self.pattern, repo.full_name) is not None


def parse_rules(text: str, team_slugs: Iterable[str]) -> list[Rule]:
    """Read the rules; a wrong line raises ForgeError with a sentence naming it."""
    teams = set(team_slugs)
    rules: list[Rule] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("regex:") else raw.strip()
        if not line:
            continue
        if len(rules) >= MAX_RULES:
            raise ForgeError(f"At most {MAX_RULES} mapping rules are accepted.")
        left, equals, team = line.rpartition("=")
        kind, colon, pattern = left.partition(":")
        kind, pattern, team = kind.strip().lower(), pattern.strip(), team.strip()
        if not equals or not colon or kind not in RULE_KINDS or not pattern or not team:
            raise ForgeError(
                f"Line {number} is not a rule such as 'topic:fraud = fraud-detection' "
                f"(kinds: {', '.join(RULE_KINDS)})."
            )
        if len(pattern) > MAX_PATTERN:
            raise ForgeError(
                f"The pattern on line {number} is longer than {MAX_PATTERN} characters."
            )
        if team not in teams:
            raise ForgeError(
                f"Line {number} names the team '{team}', which this organisation has not."
            )
        if kind == "regex":
            try:
                re.compile(pattern)
            except re.error as error:
                raise ForgeError(
                    f"The regular expression on line {number} is wrong: {error}."
                ) from None
        rules.append(Rule(kind=kind, pattern=pattern, team=team, line=number))
    return rules


def team_for(repo: ForgeRepo, rules: list[Rule]) -> str | None:
    for rule in rules:
        if rule.kind == "repo" and rule.matches(repo):
            return rule.team
    for rule in rules:
        if rule.kind != "repo" and rule.matches(repo):
            return rule.team
    return None


def comparable_url(url: str) -> str:
    """The same repository whatever its spelling: no '.git', no trailing slash, host in lower
    case."""
    url = url.strip().rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


@dataclass(frozen=True)
class PreviewRow:
    full_name: str
    clone_url: str
    team: str | None
    action: str  # create, exists, unmapped, archived or fork
    topics: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "full_name": self.full_name,
            "clone_url": self.clone_url,
            "team": self.team,
            "action": self.action,
            "topics": list(self.topics),
        }


def plan(
    repos: Iterable[ForgeRepo],
    rules: list[Rule],
    *,
    existing_urls: set[str],
    include_archived: bool = False,
    include_forks: bool = False,
) -> list[PreviewRow]:
    """What an import would do with each repository, in the forge's order."""
    rows = []
    seen: set[str] = set()
    for repo in repos:
        key = comparable_url(repo.clone_url)
        if key in seen:
            continue
        seen.add(key)
        team = team_for(repo, rules)
        if repo.archived and not include_archived:
            action = ARCHIVED
        elif repo.fork and not include_forks:
            action = FORK
        elif key in existing_urls:
            action = EXISTS
        elif team is None:
            action = UNMAPPED
        else:
            action = CREATE
        rows.append(PreviewRow(repo.full_name, repo.clone_url, team, action, repo.topics))
    return rows


def counts(rows: Iterable[PreviewRow]) -> dict[str, int]:
    result = dict.fromkeys(ACTIONS, 0)
    for row in rows:
        result[row.action] += 1
    return result
