"""The lens files: the bundled ones load, bad data gets a clear sentence, and a result on an
older catalogue lacking a capability is read without it."""

import copy
import dataclasses

import pytest

from assessments.maturity import score
from assessments.maturity.lenses import (
    LENS_DIR,
    LensError,
    eu_ai_act_lens,
    lens_readings,
    microsoft_lens,
    parse_eu_ai_act_lens,
    parse_microsoft_lens,
    read_lens_file,
)
from assessments.maturity.versions import load_catalogue_version

from .builders import answer_all


@pytest.fixture
def microsoft_data():
    return copy.deepcopy(read_lens_file(LENS_DIR / "microsoft.yaml"))


@pytest.fixture
def eu_data():
    return copy.deepcopy(read_lens_file(LENS_DIR / "eu_ai_act.yaml"))


def test_the_bundled_lenses_load_against_the_current_catalogue(catalogue):
    microsoft = microsoft_lens()
    assert [level.number for level in microsoft.levels] == [0, 1, 2, 3, 4]
    assert microsoft.levels[0].requires == ()
    assert microsoft.level(4).title == "Full MLOps automated operations"
    assert {r.aspect for level in microsoft.levels for r in level.requires} >= {"people"}
    eu = eu_ai_act_lens()
    assert [a.article for a in eu.articles] == ["9", "10", "11", "12", "13", "14", "15", "72"]
    every_key = [r.capability for a in eu.articles for r in a.requires] + [
        r.capability for level in microsoft.levels for r in level.requires
    ]
    assert all(catalogue.has_capability(key) for key in every_key)
    assert microsoft.version == "2026.12.1"
    assert eu.version == "2026.12.2"  # 2026.12.2: the LLM capabilities mapped
    assert microsoft.sources[0].url.startswith("https://learn.microsoft.com/")
    assert eu.sources[0].url.startswith("https://eur-lex.europa.eu/")


def test_a_capability_the_catalogue_lacks_is_named_with_the_file_and_level(
    catalogue, microsoft_data
):
    microsoft_data["levels"][2]["requires"][0]["capability"] = "prompt_versoning"
    with pytest.raises(LensError) as error:
        parse_microsoft_lens(microsoft_data, catalogue)
    assert error.value.problems == (
        f"microsoft.yaml: level 2: requirement #1: capability 'prompt_versoning' is not in "
        f"catalogue {catalogue.version}",
    )


def test_every_problem_in_a_file_is_reported_at_once(catalogue, microsoft_data):
    microsoft_data["levels"][1]["requires"][0]["aspect"] = "culture"
    microsoft_data["levels"][3]["requires"].append(
        {"capability": "ci", "aspect": "model_release", "because": "again"}
    )
    microsoft_data["version"] = 2026.12
    with pytest.raises(LensError) as error:
        parse_microsoft_lens(microsoft_data, catalogue)
    assert list(error.value.problems) == [
        "microsoft.yaml: version: must be quoted text such as '2026.12.1', not 2026.12",
        "microsoft.yaml: level 1: requirement #1: aspect 'culture' must be one of people, "
        "model_creation, model_release, application_integration",
        "microsoft.yaml: level 3: capability 'ci' is already required at level 1 (levels are "
        "cumulative)",
    ]


def test_levels_must_run_from_0_to_4_and_level_0_requires_nothing(catalogue, microsoft_data):
    microsoft_data["levels"][0]["requires"] = [
        {"capability": "ci", "aspect": "model_release", "because": "x"}
    ]
    with pytest.raises(LensError, match="level 0 is the floor every team starts from"):
        parse_microsoft_lens(microsoft_data, catalogue)
    del microsoft_data["levels"][4]
    microsoft_data["levels"][0]["requires"] = []
    with pytest.raises(LensError, match="levels must be 0 to 4, found 4"):
        parse_microsoft_lens(microsoft_data, catalogue)


def test_an_unknown_key_and_a_missing_one_are_named(catalogue, eu_data):
    eu_data["articles"][0]["annex"] = "IV"
    del eu_data["disclaimer"]
    with pytest.raises(LensError) as error:
        parse_eu_ai_act_lens(eu_data, catalogue)
    assert error.value.problems == ("eu_ai_act.yaml: missing required key 'disclaimer'",)
    eu_data["disclaimer"] = "Not legal advice."
    with pytest.raises(LensError) as error:
        parse_eu_ai_act_lens(eu_data, catalogue)
    assert error.value.problems == ("eu_ai_act.yaml: article #1: unknown key 'annex'",)


def test_a_dates_headline_flag_must_be_true_or_false(catalogue, eu_data):
    eu_data["dates"][0]["headline"] = "yes please"
    with pytest.raises(LensError, match=r"date #1: headline must be true or false"):
        parse_eu_ai_act_lens(eu_data, catalogue)
    assert [d.date.isoformat() for d in eu_ai_act_lens().dates if d.headline] == [
        "2024-08-01",
        "2026-08-02",
        "2027-08-02",
    ]


def test_dates_must_be_real_dates_in_order(catalogue, eu_data):
    eu_data["dates"][1]["date"] = "next August"
    with pytest.raises(LensError, match=r"date #2: date 'next August' must be a date written"):
        parse_eu_ai_act_lens(eu_data, catalogue)
    eu_data["dates"][1]["date"] = eu_data["dates"][4]["date"]
    with pytest.raises(LensError, match="dates: must be in date order"):
        parse_eu_ai_act_lens(eu_data, catalogue)


def test_an_article_unquoted_listed_twice_or_without_capabilities_is_refused(catalogue, eu_data):
    eu_data["articles"][0]["article"] = 9
    with pytest.raises(LensError, match=r"article #1: article must be quoted text such as '9'"):
        parse_eu_ai_act_lens(eu_data, catalogue)
    eu_data["articles"][0]["article"] = "10"
    eu_data["articles"][2]["requires"] = []
    with pytest.raises(LensError) as error:
        parse_eu_ai_act_lens(eu_data, catalogue)
    assert error.value.problems == (
        "eu_ai_act.yaml: article 10: is listed twice",
        "eu_ai_act.yaml: article 11: must name at least one capability",
    )


def test_a_source_must_be_an_https_address(catalogue, eu_data):
    eu_data["sources"][0]["url"] = "http://eur-lex.europa.eu/"
    with pytest.raises(LensError, match="source #1: url 'http://eur-lex.europa.eu/' must start"):
        parse_eu_ai_act_lens(eu_data, catalogue)


def test_a_file_that_is_not_yaml_gets_one_sentence(tmp_path):
    path = tmp_path / "microsoft.yaml"
    path.write_text("levels: [\n", encoding="utf-8")
    with pytest.raises(LensError, match=r"^microsoft.yaml: is not valid YAML"):
        read_lens_file(path)
    with pytest.raises(LensError, match=r"^absent.yaml: cannot be read"):
        read_lens_file(tmp_path / "absent.yaml")


def _older_catalogue(catalogue, *, without):
    """The catalogue as a version before ``without`` existed: its capability and questions gone."""
    return dataclasses.replace(
        catalogue,
        version="2026.10-without",
        capabilities=tuple(c for c in catalogue.capabilities if c.key not in without),
        questions=tuple(q for q in catalogue.questions if not set(q.capabilities) & set(without)),
    )


def test_a_result_on_an_older_catalogue_is_read_without_the_capabilities_it_lacks(catalogue):
    older = _older_catalogue(catalogue, without={"pipeline_triggers", "serving_health_monitoring"})
    answers = answer_all(older, "yes", {"monitoring_triggers_retraining": "no"})
    readings = lens_readings(older, score(older, answers))

    microsoft = readings["microsoft"]
    assert microsoft["level"] == 3
    assert [i["capability"] for i in microsoft["why_not_next_level"]] == [
        "monitoring_triggers_retraining"
    ]
    assert microsoft["skipped"] == ["pipeline_triggers"]
    eu = readings["eu_ai_act"]
    assert eu["skipped"] == ["serving_health_monitoring"]
    post_market = next(a for a in eu["articles"] if a["article"] == "72")
    assert post_market["status"] == "supported"
    assert [c["capability"] for c in post_market["supported_by"]] == [
        "prediction_logging",
        "monitoring",
    ]


def test_an_article_whose_capabilities_are_all_missing_from_the_catalogue_is_not_assessed(
    catalogue,
):
    older = _older_catalogue(
        catalogue, without={"prediction_logging", "metadata_store", "llm_tracing"}
    )
    readings = lens_readings(older, score(older, answer_all(older, "yes")))
    record_keeping = next(a for a in readings["eu_ai_act"]["articles"] if a["article"] == "12")
    assert record_keeping["status"] == "not_assessed"
    assert readings["eu_ai_act"]["counts"]["not_assessed"] == 1
    assert readings["eu_ai_act"]["counts"]["supported"] == 7


LLM_KEYS = {
    "prompt_versioning",
    "llm_evaluation",
    "guardrails",
    "llm_tracing",
    "llm_model_pinning",
    "retrieval_data_refresh",
}


def _lens_without_llm(eu_data, catalogue):
    """The EU AI Act lens as it was before the LLM capabilities were mapped (2026.12.1)."""
    for article in eu_data["articles"]:
        article["requires"] = [r for r in article["requires"] if r["capability"] not in LLM_KEYS]
    return parse_eu_ai_act_lens({**eu_data, "version": "2026.12.1"}, catalogue)


def _statuses(reading):
    return {
        a["article"]: (a["status"], a["supported_by"], a["missing"]) for a in reading["articles"]
    }


@pytest.mark.parametrize("default", ["yes", "partly", "no", "unknown"])
@pytest.mark.parametrize(
    "overrides",
    [{}, {"monitoring": "no", "ci": "partly"}, {"prediction_logging": "yes", "ownership": "no"}],
    ids=["uniform", "gaps", "mixed"],
)
def test_a_result_on_catalogue_2026_11_1_reads_as_before_the_llm_capabilities(
    catalogue, eu_data, default, overrides
):
    older = load_catalogue_version("2026.11.1")
    assert not LLM_KEYS & {c.key for c in older.capabilities}
    result = score(older, answer_all(older, default, overrides))
    now = lens_readings(older, result)["eu_ai_act"]
    before = lens_readings(older, result, eu_ai_act=_lens_without_llm(eu_data, catalogue))
    assert _statuses(now) == _statuses(before["eu_ai_act"])
    assert now["counts"] == before["eu_ai_act"]["counts"]
    assert set(now["skipped"]) == LLM_KEYS - {"retrieval_data_refresh"}
    assert before["eu_ai_act"]["skipped"] == []


@pytest.mark.parametrize("default", ["yes", "partly", "no", "unknown"])
def test_a_team_without_llm_applications_reads_as_before_the_llm_capabilities(
    catalogue, eu_data, default
):
    answers = {**answer_all(catalogue, default), "llm_applications_in_use": "no"}
    result = score(catalogue, answers)
    now = lens_readings(catalogue, result)["eu_ai_act"]
    before = lens_readings(catalogue, result, eu_ai_act=_lens_without_llm(eu_data, catalogue))
    assert _statuses(now) == _statuses(before["eu_ai_act"])
    assert now["counts"] == before["eu_ai_act"]["counts"]
