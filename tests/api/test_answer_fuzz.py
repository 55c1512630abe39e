"""Answers through the API fuzzed with hypothesis: any JSON body, key and If-Match header.

What is accepted comes back byte for byte (line endings aside, which are stored as \\n); what
is refused answers 4xx in the one error shape and leaves every stored answer as it was.
"""

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from assessments import maturity
from assessments.models import Answer

from ..fuzzing import form_text, fuzz_settings
from .conftest import error_of

CATALOGUE = maturity.load_catalogue()
ANY_TEXT = form_text(max_size=40)
# What JSON can carry: no NaN or infinity, which a JSON encoder refuses before any request.
JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def answer_puts(draw):
    question = draw(st.sampled_from(CATALOGUE.questions))
    well_formed = draw(st.integers(0, 2)) > 0
    body = {
        "option": draw(st.sampled_from([o.key for o in question.options]))
        if well_formed
        else draw(JSON_VALUES),
        "note": draw(ANY_TEXT | st.just("a\r\nb\rc") | st.just("x" * 4001))
        if well_formed
        else draw(JSON_VALUES),
    }
    body.update(draw(st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=2)) if not well_formed else {})
    key = question.key if well_formed else draw(st.sampled_from([question.key, "nope", "a/b", ""]))
    if_match = draw(st.sampled_from(["current", "current", None, '"99"', "*", "garbage", '""']))
    return key, body, if_match


@fuzz_settings(max_examples=60)
@given(put=answer_puts())
def test_fuzzed_answer_puts_round_trip_or_change_nothing(as_member, draft, put):
    key, body, if_match = put
    before = {
        a.question_key: (a.option_key, a.note, a.version)
        for a in Answer.objects.filter(assessment=draft)
    }
    headers = {}
    if if_match == "current":
        headers["HTTP_IF_MATCH"] = f'"{before.get(key, ("", "", 0))[2]}"'
    elif if_match is not None:
        headers["HTTP_IF_MATCH"] = if_match
    url = f"/api/v1/assessments/{draft.pk}/answers/{quote(key, safe='')}/"
    response = as_member.put(url, body, format="json", **headers)

    assert response.status_code in (200, 201, 400, 404, 405, 412, 428), response.content[:300]
    well_formed = (
        CATALOGUE.has_question(key)
        and set(body) == {"option", "note"}
        and isinstance(body["note"], str)
        and len(body["note"].replace("\r\n", "\n").replace("\r", "\n")) <= 4000
        and body["option"] in {o.key for o in CATALOGUE.question(key).options}
    )
    if well_formed:
        # The version check decides alone: no If-Match (or *) 428, a stale one 412.
        expected = {None: 428, "*": 428, '"99"': 412, "garbage": 400, '""': 400}.get(
            if_match, 201 if key not in before else 200
        )
        assert response.status_code == expected, (if_match, response.content[:300])
    after = {
        a.question_key: (a.option_key, a.note, a.version)
        for a in Answer.objects.filter(assessment=draft)
    }
    if response.status_code >= 400:
        error_of(response)
        assert after == before
        return
    expected_note = body["note"].replace("\r\n", "\n").replace("\r", "\n")
    assert (response.json()["option"], response.json()["note"]) == (body["option"], expected_note)
    assert response["ETag"] == f'"{after[key][2]}"'
    again = as_member.get(url)
    assert (again.json()["option"], again.json()["note"]) == (body["option"], expected_note)
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }
