"""A questionnaire page's fieldsets, kept per question and shape of the answer: what is kept
never shows an old answer, another team's answer or an old catalogue's question."""

import dataclasses
import re

from django.urls import reverse

from assessments.maturity.versions import load_catalogue
from assessments.models import Role
from assessments.services.answers import answer_save
from assessments.services.assessments import assessment_start
from assessments.views.questionnaire.fieldsets import question_fieldset

from .factories import MembershipFactory, TeamFactory, UserFactory

QUESTION = "data_schema_checked"


def _page(client, assessment):
    return client.get(
        reverse("questionnaire_section", args=[assessment.pk, "data"])
    ).content.decode()


def _fieldset(body, key=QUESTION):
    return re.search(rf'<fieldset[^>]*id="question-{key}".*?</fieldset>', body, re.S).group(0)


def test_an_answer_changed_since_the_last_view_shows_as_it_is_now(client, team, member):
    draft = assessment_start(team=team, user=member)
    answer_save(
        assessment=draft,
        question_key=QUESTION,
        option_key="no",
        note="first note",
        expected_version=0,
        user=member,
    )
    client.force_login(member)
    before = _fieldset(_page(client, draft))
    assert 'data-version="1"' in before
    assert "first note" in before
    assert re.search(r'value="no"\s+checked', before)

    answer_save(
        assessment=draft,
        question_key=QUESTION,
        option_key="yes",
        note="second note",
        expected_version=1,
        user=member,
    )
    after = _fieldset(_page(client, draft))
    assert 'data-version="2"' in after
    assert 'name="v-data_schema_checked" value="2"' in after
    assert "second note" in after
    assert "first note" not in after
    assert re.search(r'value="yes"\s+checked', after)
    assert not re.search(r'value="no"\s+checked', after)


def test_a_team_sees_its_own_answer_where_another_gave_one_of_the_same_shape(client, team, member):
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    other_member = MembershipFactory(
        team=other, user=UserFactory(username="bob"), role=Role.MEMBER
    ).user
    drafts = {}
    for owner, user, note in ((team, member, "ours"), (other, other_member, "theirs")):
        drafts[user] = assessment_start(team=owner, user=user)
        answer_save(
            assessment=drafts[user],
            question_key=QUESTION,
            option_key="partly",
            note=f"note of {note}",
            expected_version=0,
            user=user,
        )
    client.force_login(member)
    ours = _fieldset(_page(client, drafts[member]))
    client.force_login(other_member)
    theirs = _fieldset(_page(client, drafts[other_member]))
    assert "note of ours" in ours
    assert "note of theirs" not in ours
    assert "note of theirs" in theirs
    assert "note of ours" not in theirs
    assert "Saved by alice." in ours
    assert "Saved by bob." in theirs


def test_a_question_changed_in_another_catalogue_version_shows_as_that_version_asks_it():
    question = load_catalogue().question(QUESTION)
    changed = dataclasses.replace(
        question,
        text="Is the schema checked on every run?",
        options=tuple(dataclasses.replace(o, label=f"{o.label}!") for o in question.options),
    )
    values = {"version": 0, "note": "", "options": ""}
    assert question.text in question_fieldset(question, values, can_edit=True)
    assert changed.text in question_fieldset(changed, values, can_edit=True)
    assert question.text not in question_fieldset(changed, values, can_edit=True)


def test_every_value_is_escaped_and_none_is_taken_for_a_marker():
    question = load_catalogue().question(QUESTION)
    markup = "<script>alert(1)</script> & <\x000\x00>"
    html = question_fieldset(
        question,
        {
            "version": 3,
            "note": markup,
            "status": markup,
            "conflict": {"updated_by": markup, "current_option": "yes"},
            "error": markup,
        },
        can_edit=True,
    )
    assert "<script>" not in html
    assert "<\x00" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;\x000\x00&gt;") == 4
    assert 'data-version="3"' in html


def test_unset_values_of_other_types_are_kept_apart():
    """0 and False are equal as keys, yet a template draws them differently; an empty mapping
    cannot be a key at all: neither may find or break another fieldset."""
    question = next(q for q in load_catalogue().graded_questions if q.key == QUESTION)
    shown = {"version": 0, "note": "", "hint": None}
    with_false = question_fieldset(question, {**shown, "version": False}, can_edit=True)
    with_zero = question_fieldset(question, shown, can_edit=True)
    assert 'data-version="False"' in with_false
    assert 'data-version="0"' in with_zero
    assert question_fieldset(question, {**shown, "hint": {}}, can_edit=True)
