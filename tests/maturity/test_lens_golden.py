"""Golden answer sets read through each lens: hand-written answers, hand-worked readings.

Each set names the capabilities answered differently from the rest; the expectations were
worked out from microsoft.yaml and eu_ai_act.yaml by hand, not by running the code.
"""

import pytest

from assessments.maturity import score
from assessments.maturity.lenses import lens_readings

from .builders import answer_all

LEVEL_1 = ("version_control", "data_extraction_automation", "ci", "automated_tests")
LEVEL_2 = (
    "modular_code",
    "pipeline_orchestration",
    "reproducible_environment",
    "experiment_tracking",
    "model_registry",
)
LEVEL_3 = (
    "model_cd",
    "model_validation",
    "ml_specific_tests",
    "pre_deployment_checks",
    "ownership",
    "model_documentation",
)
LEVEL_4 = (
    "prediction_logging",
    "monitoring",
    "pipeline_triggers",
    "monitoring_triggers_retraining",
)
ARTICLES = ("9", "10", "11", "12", "13", "14", "15", "72")
LLM = (
    "prompt_versioning",
    "llm_evaluation",
    "guardrails",
    "llm_tracing",
    "llm_model_pinning",
    "retrieval_data_refresh",
)


def _yes(*keys):
    return dict.fromkeys(keys, "yes")


def _eu(**statuses):
    """Every article missing unless named: _eu(a9="partly")."""
    return {article: statuses.get(f"a{article}", "missing") for article in ARTICLES}


GOLDEN = [
    pytest.param("no", {}, 0, LEVEL_1, _eu(), id="nothing_in_place"),
    pytest.param("yes", {}, 4, (), dict.fromkeys(ARTICLES, "supported"), id="everything_automated"),
    pytest.param(
        "no", _yes(*LEVEL_1), 1, LEVEL_2, _eu(a10="partly", a11="partly"), id="devops_no_mlops"
    ),
    pytest.param(
        "no",
        _yes(*LEVEL_1, *LEVEL_2),
        2,
        LEVEL_3,
        _eu(a10="partly", a11="partly"),
        id="automated_training",
    ),
    pytest.param(
        "no",
        _yes(*LEVEL_1, *LEVEL_2, *LEVEL_3),
        3,
        LEVEL_4,
        _eu(a9="partly", a10="partly", a11="partly", a13="supported", a14="partly", a15="partly"),
        id="automated_deployment_without_monitoring",
    ),
    pytest.param(
        "no",
        _yes(*LEVEL_2, *LEVEL_3, *LEVEL_4, "version_control", "data_extraction_automation"),
        0,
        ("ci", "automated_tests"),
        _eu(
            a9="supported",
            a10="partly",
            a11="partly",
            a12="partly",
            a13="supported",
            a14="partly",
            a15="partly",
            a72="partly",
        ),
        id="everything_but_ci_is_level_0_as_levels_are_cumulative",
    ),
    pytest.param(
        "partly",
        {},
        0,
        ("data_extraction_automation", "ci", "automated_tests"),
        dict.fromkeys(ARTICLES, "partly"),
        id="everything_by_hand",
    ),
    pytest.param(
        "no",
        _yes("ownership", "model_documentation"),
        0,
        LEVEL_1,
        _eu(a9="partly", a11="partly", a13="supported", a14="partly"),
        id="documented_and_owned_only",
    ),
    pytest.param(
        "no",
        _yes("prediction_logging", "monitoring", "serving_health_monitoring", "metadata_store"),
        0,
        LEVEL_1,
        _eu(
            a9="partly",
            a10="partly",
            a11="partly",
            a12="supported",
            a14="partly",
            a15="partly",
            a72="supported",
        ),
        id="monitored_but_built_by_hand",
    ),
    pytest.param("unknown", {}, 0, LEVEL_1, _eu(), id="dont_know_anything"),
]


@pytest.mark.parametrize(("default", "overrides", "level", "why_not", "articles"), GOLDEN)
def test_golden_answer_sets_read_through_each_lens(
    catalogue, default, overrides, level, why_not, articles
):
    # Teams without LLM applications: the sets were worked out before the LLM capabilities
    # were mapped, and read exactly as they did.
    answers = {**answer_all(catalogue, default, overrides), "llm_applications_in_use": "no"}
    _assert_reading(catalogue, answers, level, why_not, articles)


# LLM applications: (default, overrides, the LLM context answer, Microsoft level, why not the
# next, articles). Microsoft's model asks for no LLM capability (see microsoft.yaml).
GOLDEN_LLM = [
    pytest.param(
        "yes",
        {},
        "no",
        4,
        (),
        dict.fromkeys(ARTICLES, "supported"),
        id="everything_automated_without_llm_applications",
    ),
    pytest.param(
        "yes",
        {},
        "with_retrieval",
        4,
        (),
        dict.fromkeys(ARTICLES, "supported"),
        id="everything_automated_with_llm_applications",
    ),
    pytest.param(
        "yes",
        dict.fromkeys(LLM, "no"),
        "with_retrieval",
        4,
        (),
        _eu(
            a9="partly",
            a10="supported",
            a11="partly",
            a12="partly",
            a13="supported",
            a14="supported",
            a15="partly",
            a72="supported",
        ),
        id="mature_ml_with_llm_practice_missing",
    ),
    pytest.param(
        "yes",
        {"llm_tracing": "partly"},
        "without_retrieval",
        4,
        (),
        {**dict.fromkeys(ARTICLES, "supported"), "12": "partly"},
        id="llm_calls_traced_only_partly",
    ),
    pytest.param(
        "no",
        _yes(*LLM),
        "without_retrieval",
        0,
        LEVEL_1,
        _eu(a9="partly", a11="partly", a12="partly", a15="partly"),
        id="llm_practice_alone",
    ),
    pytest.param(
        "no",
        _yes(*LLM),
        "no",
        0,
        LEVEL_1,
        _eu(),
        id="llm_answers_of_a_team_without_llm_applications_count_for_nothing",
    ),
    pytest.param(
        "yes",
        dict.fromkeys(LLM, "no"),
        "no",
        4,
        (),
        dict.fromkeys(ARTICLES, "supported"),
        id="llm_practice_missing_but_no_llm_applications",
    ),
]


@pytest.mark.parametrize(
    ("default", "overrides", "llm", "level", "why_not", "articles"), GOLDEN_LLM
)
def test_golden_llm_answer_sets_read_through_each_lens(
    catalogue, default, overrides, llm, level, why_not, articles
):
    answers = {**answer_all(catalogue, default, overrides), "llm_applications_in_use": llm}
    readings = _assert_reading(catalogue, answers, level, why_not, articles)
    listed = {
        c["capability"]
        for article in readings["eu_ai_act"]["articles"]
        for c in article["not_applicable"]
    }
    # Without LLM applications, the LLM capabilities the articles name are listed as not
    # applicable, never as support or missing.
    mapped = {"prompt_versioning", "llm_evaluation", "guardrails", "llm_tracing"}
    mapped.add("llm_model_pinning")
    assert listed == (mapped if llm == "no" else set())


def _assert_reading(catalogue, answers, level, why_not, articles):
    readings = lens_readings(catalogue, score(catalogue, answers))

    microsoft = readings["microsoft"]
    assert microsoft["level"] == level
    assert [item["capability"] for item in microsoft["why_not_next_level"]] == list(why_not)
    assert {
        article["article"]: article["status"] for article in readings["eu_ai_act"]["articles"]
    } == articles
    counts = readings["eu_ai_act"]["counts"]
    assert sum(counts.values()) == len(ARTICLES)
    assert counts["supported"] == list(articles.values()).count("supported")
    return readings


def test_why_not_next_level_gives_each_capability_its_title_and_status(catalogue):
    answers = answer_all(catalogue, "no", {**_yes(*LEVEL_1), "modular_code": "partly"})
    answers["experiments_tracked"] = "unknown"
    reading = lens_readings(catalogue, score(catalogue, answers))["microsoft"]
    assert reading["title"] == "DevOps but no MLOps"
    assert reading["next_level_title"] == "Automated training"
    by_key = {item["capability"]: item for item in reading["why_not_next_level"]}
    assert by_key["modular_code"]["status"] == "partial"
    assert by_key["modular_code"]["aspect"] == "people"
    assert by_key["experiment_tracking"]["status"] == "unknown"
    assert by_key["model_registry"] == {
        "capability": "model_registry",
        "title": "Model registry and versions",
        "status": "missing",
        "aspect": "model_creation",
    }


def test_not_applicable_counts_as_met_for_microsofts_levels(catalogue):
    answers = answer_all(catalogue, "yes", {"ci": "na"})
    readings = lens_readings(catalogue, score(catalogue, answers))
    assert readings["microsoft"]["level"] == 4


def test_not_applicable_is_neither_support_nor_missing_for_an_article(catalogue):
    post_market = _article(catalogue, answer_all(catalogue, "no", {"monitoring": "na"}), "72")
    assert post_market["status"] == "missing"  # not "partly": monitoring is no support
    assert [c["capability"] for c in post_market["missing"]] == [
        "prediction_logging",
        "serving_health_monitoring",
    ]
    assert post_market["not_applicable"] == [
        {
            "capability": "monitoring",
            "title": post_market["not_applicable"][0]["title"],
            "status": "not_applicable",
        }
    ]
    answers = answer_all(catalogue, "yes", {"monitoring": "na"})
    assert _article(catalogue, answers, "72")["status"] == "supported"


def test_an_article_none_of_whose_capabilities_applies_is_not_assessed(catalogue):
    answers = answer_all(
        catalogue, "yes", dict.fromkeys(("prediction_logging", "metadata_store"), "na")
    )
    answers["llm_applications_in_use"] = "no"
    record_keeping = _article(catalogue, answers, "12")
    assert record_keeping["status"] == "not_assessed"
    assert record_keeping["supported_by"] == record_keeping["missing"] == []
    assert {c["capability"] for c in record_keeping["not_applicable"]} == {
        "prediction_logging",
        "metadata_store",
        "llm_tracing",
    }


def _article(catalogue, answers, number):
    reading = lens_readings(catalogue, score(catalogue, answers))["eu_ai_act"]
    return next(a for a in reading["articles"] if a["article"] == number)


def test_an_article_lists_what_supports_it_and_what_is_missing(catalogue):
    answers = answer_all(catalogue, "no", _yes("prediction_logging"))
    answers["llm_applications_in_use"] = "no"
    articles = {
        a["article"]: a
        for a in lens_readings(catalogue, score(catalogue, answers))["eu_ai_act"]["articles"]
    }
    record_keeping = articles["12"]
    assert record_keeping["title"] == "Record-keeping"
    assert record_keeping["status"] == "partly"
    assert [c["capability"] for c in record_keeping["supported_by"]] == ["prediction_logging"]
    assert [(c["capability"], c["status"]) for c in record_keeping["missing"]] == [
        ("metadata_store", "missing")
    ]


def test_the_eu_reading_carries_its_version_dates_and_the_not_legal_advice_sentence(catalogue):
    reading = lens_readings(catalogue, score(catalogue, answer_all(catalogue, "no")))["eu_ai_act"]
    assert "not legal advice" in reading["disclaimer"]
    assert reading["in_force_since"] == "2024-08-01"
    dates = {d["date"] for d in reading["dates"]}
    assert {"2024-08-01", "2026-08-02", "2027-08-02"} <= dates
    assert "versioned" in reading["dates_note"]
    assert reading["version"]
