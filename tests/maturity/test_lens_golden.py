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
    answers = answer_all(catalogue, default, overrides)
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


def test_not_applicable_counts_as_met_for_every_lens(catalogue):
    answers = answer_all(catalogue, "yes", {"ci": "na"})
    readings = lens_readings(catalogue, score(catalogue, answers))
    assert readings["microsoft"]["level"] == 4


def test_an_article_lists_what_supports_it_and_what_is_missing(catalogue):
    answers = answer_all(catalogue, "no", _yes("prediction_logging"))
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
