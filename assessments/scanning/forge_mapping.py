"""Which team each listed repository goes to, and what an import would do: pure, so the
preview and the import decide the same way and nothing is created by a preview.

Rules, one a line (``#`` starts a comment), written ``KIND:PATTERN = team-slug``:

- ``repo:acme/churn-model = churn``: by hand, one repository by its full name; these win;
- ``topic:fraud = fraud-detection``: a repository with that topic;
- ``name:fraud-* = fraud-detection``: a glob on the repository's name or full name;
- ``regex:^search[-_] = search``: a regular expression searched in the full name;
- ``owners:@acme/ds-core = fraud-detection``: links a forge team named in CODEOWNERS to a
  team here, when their names differ.

Who decides, in this order: a ``repo:`` rule (by hand); then, when the import reads them, the
repository's CODEOWNERS (``codeowners.py``: the last whole-repository rule, ``*``): the first
team it names that is linked to a team here, by an ``owners:`` rule or else by the same slug
(``@acme/fraud-detection`` is the team ``fraud-detection``, for a team of the connected
organisation or group); then the first matching ``topic:``, ``name:`` or ``regex:`` rule. Each
row says which rule decided (``rule``) and what kind it was (``source``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from . import codeowners
from .codeowners import RootOwners
from .forge_codeowners import CodeownersFile
from .forge_listing import ForgeError, ForgeRepo

RULE_KINDS = ("repo", "topic", "name", "regex", "owners")
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
        if self.kind == "owners":
            return False  # links a CODEOWNERS team, never a repository by itself
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
        if kind == "owners":
            pattern = pattern.removeprefix("@").lower()
            if "/" not in pattern:
                raise ForgeError(
                    f"Line {number} should name a forge team as @organisation/team-slug."
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


@dataclass(frozen=True)
class Decision:
    team: str | None
    source: str  # "manual", "codeowners", "rule" or "" when nothing decided
    rule: str  # which rule, in words; empty when nothing decided


NO_DECISION = Decision(None, "", "")

CodeownersReader = Callable[[ForgeRepo], CodeownersFile | None]


def _manual(repo: ForgeRepo, rules: list[Rule]) -> Decision | None:
    for rule in rules:
        if rule.kind == "repo" and rule.matches(repo):
            return Decision(rule.team, "manual", f"Manual (rules line {rule.line})")
    return None


def _by_pattern(repo: ForgeRepo, rules: list[Rule]) -> Decision:
    for rule in rules:
        if rule.kind not in {"repo", "owners"} and rule.matches(repo):
            return Decision(rule.team, "rule", f"Rule line {rule.line}: {rule.kind}:{rule.pattern}")
    return NO_DECISION


def linked_team(
    forge_team: str, rules: list[Rule], *, team_slugs: Collection[str], forge_owner: str
) -> str | None:
    """The team here linked to a forge team (``org/slug``, lower case): by an ``owners:``
    rule, else by the same slug when the forge team belongs to the connected organisation or
    group (one of its subgroups for GitLab)."""
    for rule in rules:
        if rule.kind == "owners" and rule.pattern == forge_team:
            return rule.team
    organisation, _, slug = forge_team.rpartition("/")
    owner = forge_owner.lower()
    if organisation == owner or organisation.startswith(owner + "/"):
        return slug if slug in team_slugs else None
    return None


def _by_codeowners(
    owners: RootOwners | None,
    rules: list[Rule],
    *,
    team_slugs: Collection[str],
    forge_owner: str,
) -> Decision | None:
    if owners is None:
        return None
    for forge_team in owners.teams:
        team = linked_team(forge_team, rules, team_slugs=team_slugs, forge_owner=forge_owner)
        if team is not None:
            return Decision(team, "codeowners", f"{owners.path} line {owners.line}: @{forge_team}")
    return None


def team_for(repo: ForgeRepo, rules: list[Rule]) -> str | None:
    """The team the mapping rules alone give (no CODEOWNERS)."""
    return (_manual(repo, rules) or _by_pattern(repo, rules)).team


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
    source: str = ""  # manual, codeowners, rule, or empty
    rule: str = ""  # which rule mapped it, in words
    note: str = ""  # e.g. why its CODEOWNERS was not read

    def as_dict(self) -> dict[str, object]:
        return {
            "full_name": self.full_name,
            "clone_url": self.clone_url,
            "team": self.team,
            "action": self.action,
            "topics": list(self.topics),
            "source": self.source,
            "rule": self.rule,
            "note": self.note,
        }


def _decide(
    repo: ForgeRepo,
    rules: list[Rule],
    *,
    read_codeowners: CodeownersReader | None,
    team_slugs: Collection[str],
    forge_owner: str,
) -> tuple[Decision, str]:
    """Who maps the repository, and a note when its CODEOWNERS could not be used."""
    manual = _manual(repo, rules)
    if manual is not None:
        return manual, ""
    note = ""
    if read_codeowners is not None:
        found = read_codeowners(repo)
        if found is not None and found.content is None:
            note = f"{found.path} not read: {found.problem}"
        elif found is not None and found.content is not None:
            owners = codeowners.root_owners(found.content, path=found.path)
            decision = _by_codeowners(owners, rules, team_slugs=team_slugs, forge_owner=forge_owner)
            if decision is not None:
                return decision, ""
            if owners is not None and owners.teams:
                note = (
                    f"{found.path} line {owners.line} names "
                    f"{', '.join('@' + t for t in owners.teams[:3])}, linked to no team here"
                )
    return _by_pattern(repo, rules), note


def plan(
    repos: Iterable[ForgeRepo],
    rules: list[Rule],
    *,
    existing_urls: set[str],
    include_archived: bool = False,
    include_forks: bool = False,
    read_codeowners: CodeownersReader | None = None,
    team_slugs: Collection[str] = (),
    forge_owner: str = "",
) -> list[PreviewRow]:
    """What an import would do with each repository, in the forge's order. CODEOWNERS is read
    (through `read_codeowners`) only for repositories the import could connect and no
    ``repo:`` rule maps: a skipped or already connected one costs no API call."""
    rows = []
    seen: set[str] = set()
    for repo in repos:
        key = comparable_url(repo.clone_url)
        if key in seen:
            continue
        seen.add(key)
        skipped = (repo.archived and not include_archived) or (repo.fork and not include_forks)
        reader = None if skipped or key in existing_urls else read_codeowners
        decision, note = _decide(
            repo, rules, read_codeowners=reader, team_slugs=team_slugs, forge_owner=forge_owner
        )
        if repo.archived and not include_archived:
            action = ARCHIVED
        elif repo.fork and not include_forks:
            action = FORK
        elif key in existing_urls:
            action = EXISTS
        elif decision.team is None:
            action = UNMAPPED
        else:
            action = CREATE
        rows.append(
            PreviewRow(
                repo.full_name,
                repo.clone_url,
                decision.team,
                action,
                repo.topics,
                source=decision.source,
                rule=decision.rule,
                note=note,
            )
        )
    return rows


def counts(rows: Iterable[PreviewRow]) -> dict[str, int]:
    result = dict.fromkeys(ACTIONS, 0)
    for row in rows:
        result[row.action] += 1
    return result
