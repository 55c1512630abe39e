"""Browser-side input fuzzed with hypothesis: whatever is posted or put in an address, nothing
answers 500, nothing refused changes what was saved, and what was accepted comes back unchanged
on the page, in the API and through the form a browser posts back."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from assessments import maturity
from assessments.maturity.sections import questionnaire_sections
from assessments.models import Answer
from assessments.services.answers import NOTE_MAX_LENGTH
from assessments.services.assessments import assessment_start

from .fuzzing import form_text, fuzz_settings

CATALOGUE = maturity.load_catalogue()
QUESTIONS = CATALOGUE.questions
SECTION_OF = {
    question.key: section.key
    for section in questionnaire_sections(CATALOGUE)
    for question in section.questions
}
ANY_TEXT = form_text(max_size=60)
NOTES = st.one_of(
    ANY_TEXT,
    st.sampled_from(
        [
            "\nstarts with a newline",
            "windows\r\nline\rendings\r\n",
            "<script>alert(1)</script>&amp;",
            "nul\x00inside",
            "x" * NOTE_MAX_LENGTH,
            "x" * (NOTE_MAX_LENGTH + 1),
            "  padded  ",
        ]
    ),
)
FUZZ = fuzz_settings(max_examples=60)


# A fieldset the page marks as refused (error) or in conflict, with its question key.
REFUSED_FIELDSET = re.compile(
    r'<fieldset class="question[^"]*\b(?:has-error|has-conflict)\b[^"]*" id="question-([\w-]+)"'
)


def normalized(note: str) -> str:
    return note.replace("\r\n", "\n").replace("\r", "\n")


class TextareaReader(HTMLParser):
    """The text of each textarea as a browser would put it back into the form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self._current = dict(attrs)["name"]
            self.values[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            # HTML drops one newline right after the start tag; browsers post CRLF as LF here.
            text = self.values[self._current]
            self.values[self._current] = normalized(text.removeprefix("\n"))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self.values[self._current] += data


def textarea_values(page: bytes) -> dict[str, str]:
    reader = TextareaReader()
    reader.feed(page.decode())
    return reader.values


def stored(draft) -> dict[str, tuple[str, str, int]]:
    return {
        a.question_key: (a.option_key, a.note, a.version)
        for a in Answer.objects.filter(assessment=draft)
    }


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


def _as_int(text: str) -> int | None:
    """The version as the view reads it (int() of the posted text), or None."""
    try:
        return int(text)
    except ValueError:
        return None


@st.composite
def autosaves(draw):
    """Mostly well-formed saves with hostile notes, the rest fuzzed in every field."""
    question = draw(st.sampled_from(QUESTIONS))
    options = [o.key for o in question.options]
    if draw(st.integers(0, 3)):
        return question.key, draw(st.sampled_from(options)), draw(NOTES), "current"
    key = draw(st.one_of(st.just(question.key), ANY_TEXT))
    option = draw(st.one_of(st.sampled_from(options), ANY_TEXT))
    version = draw(st.one_of(st.just("current"), ANY_TEXT, st.integers(-3, 5).map(str)))
    return key, option, draw(NOTES), version


@FUZZ
@given(save=autosaves())
@example(save=("online_serving", "no", "\nstarts with a newline", "current"))
def test_fuzzed_autosaves_never_fail_and_accepted_answers_come_back_unchanged(
    client, draft, member, save
):
    question, option, note, version = save
    client.force_login(member)
    before = stored(draft)
    if version == "current":
        version = str(before.get(question, ("", "", 0))[2])
    url = f"/assessments/{draft.pk}/answers/{quote(question, safe='')}/"
    response = client.post(url, {"option": option, "note": note, "version": version})

    assert response.status_code in (200, 400, 404, 409), response.content[:300]
    current_version = before.get(question, ("", "", 0))[2]
    if (
        CATALOGUE.has_question(question)
        and option in {o.key for o in CATALOGUE.question(question).options}
        and "\x00" not in note
        and len(normalized(note)) <= NOTE_MAX_LENGTH
        and _as_int(version) is not None
    ):
        # A well-formed save is decided by its version alone.
        expected = 200 if _as_int(version) == current_version else 409
        assert response.status_code == expected, (version, current_version)
    after = stored(draft)
    if response.status_code != 200:
        assert after == before
        if response["Content-Type"] == "application/json":
            assert response.json()["detail"].endswith(".")
        return
    assert after[question][:2] == (option, normalized(note))
    assert response.json()["version"] == after[question][2]
    assert {k: v for k, v in after.items() if k != question} == {
        k: v for k, v in before.items() if k != question
    }
    page = client.get(reverse("questionnaire_section", args=[draft.pk, SECTION_OF[question]]))
    assert textarea_values(page.content)[f"n-{question}"] == normalized(note)
    api = client.get(f"/api/v1/assessments/{draft.pk}/answers/{question}/")
    assert (api.json()["option"], api.json()["note"]) == (option, normalized(note))


@st.composite
def page_posts(draw):
    section = draw(st.sampled_from(questionnaire_sections(CATALOGUE)))
    fields = {}
    for question in draw(st.lists(st.sampled_from(section.questions), max_size=4, unique=True)):
        options = [o.key for o in question.options]
        fields[f"q-{question.key}"] = draw(st.one_of(st.sampled_from(options), ANY_TEXT))
        fields[f"n-{question.key}"] = draw(NOTES)
        fields[f"v-{question.key}"] = draw(st.one_of(st.just("0"), ANY_TEXT))
    fields.update(draw(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=3)))
    moves = st.sampled_from(["next", "previous", "stay", "summary"])
    fields["go"] = draw(st.one_of(moves, ANY_TEXT))
    return section, fields


@FUZZ
@given(post=page_posts())
def test_fuzzed_page_posts_never_fail_and_store_only_what_was_accepted(client, draft, member, post):
    section, fields = post
    client.force_login(member)
    before = stored(draft)
    response = client.post(reverse("questionnaire_section", args=[draft.pk, section.key]), fields)

    assert response.status_code in (200, 302), response.content[:300]
    after = stored(draft)
    for key, (option, note, version) in after.items():
        question = CATALOGUE.question(key)
        assert option in {o.key for o in question.options}
        assert "\x00" not in note
        assert len(note) <= NOTE_MAX_LENGTH
        if (option, note, version) != before.get(key):
            # Changed only where this post asked for exactly that change.
            assert fields.get(f"q-{key}") == option
            assert normalized(fields.get(f"n-{key}", "")) == note
    if response.status_code == 302:
        # Nothing refused: every valid, current answer of the post was stored as sent.
        for question in section.questions:
            if fields.get(f"q-{question.key}"):
                assert after[question.key][:2] == (
                    fields[f"q-{question.key}"],
                    normalized(fields.get(f"n-{question.key}", "")),
                )
    else:
        # Refused answers keep what the user typed on the page, so nothing is lost.
        typed = textarea_values(response.content)
        refused = set(REFUSED_FIELDSET.findall(response.content.decode()))
        assert refused, "a page shown again after a post marks what it refused"
        for key in refused:
            assert typed[f"n-{key}"] == normalized(fields.get(f"n-{key}", ""))


def test_a_note_without_an_answer_is_refused_and_kept_on_the_page(client, draft, member):
    client.force_login(member)
    response = client.post(
        reverse("questionnaire_section", args=[draft.pk, "context"]),
        {"n-online_serving": "we serve from a batch job", "go": "next"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose an answer too: a note is saved with its answer." in body
    assert textarea_values(response.content)["n-online_serving"] == "we serve from a batch job"
    assert not Answer.objects.filter(assessment=draft).exists()


def test_a_multiline_note_posted_back_unchanged_by_a_browser_form_is_not_saved_again(
    client, draft, member
):
    client.force_login(member)
    url = reverse("questionnaire_section", args=[draft.pk, "context"])
    autosave = client.post(
        f"/assessments/{draft.pk}/answers/online_serving/",
        {"option": "no", "note": "\nfirst line\nsecond line", "version": "0"},
    )
    assert autosave.json()["version"] == 1
    typed = textarea_values(client.get(url).content)["n-online_serving"]
    # A browser posts the textarea's lines with CRLF.
    client.post(
        url,
        {
            "q-online_serving": "no",
            "n-online_serving": typed.replace("\n", "\r\n"),
            "v-online_serving": "1",
            "go": "stay",
        },
    )
    answer = Answer.objects.get(assessment=draft, question_key="online_serving")
    assert (answer.note, answer.version) == ("\nfirst line\nsecond line", 1)


BROWSER_URLS_WITH_NUL = [
    "/teams/%00/",
    "/teams/a%00b/history/",
    "/assessments/1%00/",
    "/dashboard/?tag=%00",
    "/dashboard/?%00=1",
    "/dashboard/compare/?team=x%00",
    "/dashboard/csv/ranking.csv?level=1%00",
    "/accounts/login/?next=/%00",
    "/teams/demo/history/?compare=1&compare=%00",
]


@pytest.mark.parametrize("url", BROWSER_URLS_WITH_NUL)
@pytest.mark.parametrize("logged_in", [True, False])
def test_a_nul_character_in_a_browser_address_answers_400_with_a_sentence(
    client, member, url, logged_in
):
    if logged_in:
        client.force_login(member)
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == (
        "The address or query string contains a NUL character, which no field accepts."
    )


QUERY_NAMES = st.sampled_from(
    [
        "organization",
        "tag",
        "level",
        "dimension",
        "sort",
        "capability",
        "team",
        "since",
        "until",
        "from",
        "to",
        "compare",
        "page",
    ]
)


@FUZZ
@given(
    page=st.sampled_from(
        [
            "/dashboard/",
            "/dashboard/compare/",
            "/dashboard/debt/",
            "/dashboard/csv/ranking.csv",
            "/teams/{slug}/history/",
            "/teams/{slug}/",
        ]
    ),
    query=st.lists(st.tuples(st.one_of(QUERY_NAMES, ANY_TEXT), ANY_TEXT), max_size=5),
)
def test_fuzzed_query_strings_on_browser_pages_never_answer_500(
    client, team, org_admin, page, query
):
    client.force_login(org_admin)
    response = client.get(page.format(slug=team.slug), _as_query(query))
    assert response.status_code in (200, 302, 400), response.content[:300]


def _as_query(pairs):
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data
