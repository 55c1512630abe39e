"""CODEOWNERS as untrusted input: which whole-repository rule wins, which owners are teams,
and the files that are ignored (too large, odd bytes). Pure: no Django, no network."""

import pytest

from assessments.scanning.codeowners import MAX_BYTES, MAX_LINE, RootOwners, root_owners
from assessments.scanning.forge_codeowners import CodeownersFile
from assessments.scanning.forge_listing import ForgeRepo
from assessments.scanning.forge_mapping import parse_rules, plan

PATH = ".github/CODEOWNERS"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("* @acme/fraud-detection\n", (1, ("acme/fraud-detection",))),
        # The last whole-repository rule wins, as in GitHub.
        (
            "* @acme/one\n/docs/ @acme/docs\n* @acme/two @acme/three\n",
            (3, ("acme/two", "acme/three")),
        ),
        # A later `*` with no owner takes ownership away.
        ("* @acme/one\n*\n", (2, ())),
        # Users and email addresses are not teams.
        ("* @alice ops@example.com @ACME/Platform\n", (1, ("acme/platform",))),
        # Comments, blank lines, an escaped '#', GitLab sections, a BOM.
        ("\ufeff# owners\n\n[Docs] @acme/docs\n* @acme/ml # the ML team\n", (4, ("acme/ml",))),
        ("\\#notes @acme/x\n** @acme/all\n", (2, ("acme/all",))),
        ("/** @acme/all\n", (1, ("acme/all",))),
        # GitLab subgroups.
        ("* @acme/ml/fraud\n", (1, ("acme/ml/fraud",))),
    ],
)
def test_the_last_whole_repository_rule_wins(text, expected):
    owners = root_owners(text, path=PATH)
    assert (owners.line, owners.teams) == expected
    assert owners.path == PATH


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "/src/ @acme/src\n*.py @acme/python\n/* @acme/root-files\n",
        "docs/* @acme/docs\n",
    ],
)
def test_rules_for_parts_of_a_repository_say_nothing_about_its_owner(text):
    assert root_owners(text, path=PATH) is None


def test_a_file_larger_than_the_cap_is_ignored_not_cut():
    text = "* @acme/first\n" + "# padding\n" * (MAX_BYTES // 10)
    assert len(text.encode()) > MAX_BYTES
    assert root_owners(text, path=PATH) is None
    assert root_owners(text.encode(), path=PATH) is None


def test_odd_bytes_and_very_long_lines_do_not_break_the_parse():
    content = b"\xff\xfe garbage \x00\n" + b"* " + b"@acme/x" * (MAX_LINE // 7 + 1) + b"\n"
    content += b"* @acme/kept\n"
    assert root_owners(content, path=PATH) == RootOwners(PATH, 3, ("acme/kept",))


def repo(name, topics=()):
    return ForgeRepo(
        full_name=f"acme/{name}",
        clone_url=f"https://140.82.112.3/acme/{name}.git",
        archived=False,
        fork=False,
        topics=tuple(topics),
        default_branch="main",
    )


SLUGS = {"fraud-detection", "search", "platform"}


def mapped(files, rules_text="", repos=None, **options):
    rules = parse_rules(rules_text, SLUGS)
    read = []

    def reader(forge_repo):
        read.append(forge_repo.full_name)
        content = files.get(forge_repo.full_name)
        return None if content is None else CodeownersFile(PATH, content.encode())

    rows = plan(
        repos or [repo(name) for name in ("churn", "ranker", "misc")],
        rules,
        existing_urls=options.pop("existing_urls", set()),
        read_codeowners=reader,
        team_slugs=SLUGS,
        forge_owner="acme",
    )
    return {row.full_name: row for row in rows}, read


def test_a_codeowners_team_maps_by_slug_and_says_which_line():
    rows, _ = mapped({"acme/churn": "# owners\n* @acme/fraud-detection\n"})
    row = rows["acme/churn"]
    assert (row.team, row.action, row.source) == ("fraud-detection", "create", "codeowners")
    assert row.rule == ".github/CODEOWNERS line 2: @acme/fraud-detection"


def test_an_owners_rule_links_a_forge_team_whose_slug_differs():
    rows, _ = mapped(
        {"acme/churn": "* @acme/ds-core\n"}, rules_text="owners:@ACME/ds-core = search"
    )
    assert (rows["acme/churn"].team, rows["acme/churn"].source) == ("search", "codeowners")


def test_the_first_linked_team_of_the_winning_line_decides():
    rows, _ = mapped({"acme/churn": "* @acme/unknown @acme/platform @acme/search\n"})
    assert rows["acme/churn"].team == "platform"


def test_a_team_of_another_organisation_links_nothing_and_says_so():
    rows, _ = mapped({"acme/churn": "* @evil/fraud-detection\n"})
    row = rows["acme/churn"]
    assert (row.team, row.action, row.source) == (None, "unmapped", "")
    assert row.note == (
        ".github/CODEOWNERS line 1 names @evil/fraud-detection, linked to no team here"
    )


def test_by_hand_wins_over_codeowners_which_wins_over_other_rules():
    rules = "repo:acme/churn = search\ntopic:ml = platform\n"
    files = {"acme/churn": "* @acme/fraud-detection\n", "acme/ranker": "* @acme/fraud-detection\n"}
    repos = [repo("churn", ["ml"]), repo("ranker", ["ml"]), repo("misc", ["ml"])]
    rows, read = mapped(files, rules, repos)
    assert [(r.team, r.source) for r in rows.values()] == [
        ("search", "manual"),
        ("fraud-detection", "codeowners"),
        ("platform", "rule"),
    ]
    assert rows["acme/churn"].rule == "Manual (rules line 1)"
    assert rows["acme/misc"].rule == "Rule line 2: topic:ml"
    # A repository mapped by hand costs no CODEOWNERS read.
    assert read == ["acme/ranker", "acme/misc"]


def test_an_already_connected_repository_costs_no_read():
    existing = {"https://140.82.112.3/acme/churn"}
    rows, read = mapped({"acme/churn": "* @acme/search\n"}, existing_urls=existing)
    assert rows["acme/churn"].action == "exists"
    assert "acme/churn" not in read


def test_an_owners_rule_must_name_a_forge_team():
    from assessments.scanning.forge_listing import ForgeError

    with pytest.raises(ForgeError, match="Line 1 should name a forge team as @organisation/"):
        parse_rules("owners:@alice = search", SLUGS)
