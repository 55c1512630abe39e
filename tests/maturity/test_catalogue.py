import copy
import functools

import pytest
import yaml

from assessments.maturity import REQUIRED_CAPABILITY_KEYS, CatalogueError, load_catalogue
from assessments.maturity.catalogue import DEFAULT_PATH, ML_TEST_SCORE_SECTIONS, parse_catalogue
from assessments.maturity.versions import load_catalogue_version


@functools.cache
def bundled_data() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write_catalogue(tmp_path, mutate, name="broken.yaml"):
    data = copy.deepcopy(bundled_data())
    mutate(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def entry(data, section, key):
    return next(item for item in data[section] if item["key"] == key)


def load_error(path) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return caught.value


# --- The bundled catalogue --------------------------------------------------------------


def test_the_bundled_catalogue_loads_and_is_cached(catalogue):
    assert load_catalogue() is catalogue
    assert catalogue.version == "2026.12"


def test_it_has_the_size_the_product_promises(catalogue):
    assert len(catalogue.dimensions) >= 8
    assert len(catalogue.capabilities) >= 30
    assert len(catalogue.graded_questions) >= 40
    assert {q.key for q in catalogue.context_questions} >= {
        "online_serving",
        "models_in_production",
        "data_change_frequency",
        "retraining_frequency",
        "business_criticality",
        "team_size",
    }


def test_every_stable_capability_key_exists(catalogue):
    for key in REQUIRED_CAPABILITY_KEYS:
        assert catalogue.capability(key).key == key


def test_the_level_0_capabilities_are_version_control_and_a_served_model(catalogue):
    assert {c.key for c in catalogue.capabilities if c.level == 0} == {
        "version_control",
        "prediction_service",
    }


def test_data_versioning_and_feature_store_are_optional_at_level_1(catalogue):
    for key in ("data_versioning", "feature_store"):
        capability = catalogue.capability(key)
        assert (capability.level, capability.optional) == (1, True)


def test_every_capability_is_graded_by_a_question(catalogue):
    for capability in catalogue.capabilities:
        assert catalogue.questions_for(capability.key), capability.key


def test_every_capability_has_the_texts_a_roadmap_step_needs(catalogue):
    for c in catalogue.capabilities:
        texts = (c.description, c.why, c.remediation, c.verify)
        assert all(texts), c.key
        assert catalogue.debt_kind(c.debt).title
        assert c.effort_days > 0


def test_every_ml_test_score_section_has_capabilities(catalogue):
    sections = {c.ml_test_score_section for c in catalogue.capabilities}
    assert sections >= set(ML_TEST_SCORE_SECTIONS)


def test_some_capabilities_cannot_be_seen_in_a_repository(catalogue):
    assert catalogue.capability("prediction_logging").observable == "partly"
    assert catalogue.capability("serving_health_monitoring").observable == "no"
    assert catalogue.capability("ci").observable == "yes"
    assert catalogue.capability("ci").evidence_decides
    assert not catalogue.capability("prediction_logging").evidence_decides


def test_levels_are_gated_by_googles_characteristics_only(catalogue):
    gating = {c.key for c in catalogue.capabilities if c.gates_level and c.level == 1}
    assert gating == {
        "modular_code",
        "pipeline_orchestration",
        "same_pipeline_across_environments",
        "pipeline_triggers",
        "metadata_store",
        "model_validation",
        "model_cd",
    }
    assert {c.key for c in catalogue.capabilities if c.gates_level and c.level == 2} == {
        "ci",
        "automated_tests",
        "pipeline_cd",
        "monitoring_triggers_retraining",
    }
    assert catalogue.capability("data_validation").role == "component"
    # Pushing versioned models from the pipeline is level 1; a registry with stages is a
    # component (Google lists it among level 2's).
    assert catalogue.capability("model_registry").role == "component"
    assert catalogue.capability("feature_store").optional


def test_the_archived_catalogue_keeps_its_own_rules(catalogue):
    old = load_catalogue_version("2026.11")
    assert old.version == "2026.11"
    # Before 2026.11.1 every required capability gated its level, and a scan was expected to
    # show all but three of them.
    assert all(c.gates_level for c in old.capabilities if not c.optional)
    assert {c.key for c in old.capabilities if not c.evidence_decides} == {
        "experimental_code_cleanup",
        "prediction_logging",
        "serving_health_monitoring",
    }


def test_unquoted_yes_and_no_are_read_as_observability():
    data = copy.deepcopy(bundled_data())
    entry(data, "capabilities", "ci")["observable"] = True
    entry(data, "capabilities", "model_cd")["observable"] = False
    parsed = parse_catalogue(data)
    assert parsed.capability("ci").observable == "yes"
    assert parsed.capability("model_cd").observable == "no"


def test_a_capability_without_role_or_observability_is_reported(tmp_path):
    def strip(data):
        del entry(data, "capabilities", "ci")["role"]
        del entry(data, "capabilities", "ci")["observable"]

    problems = load_error(write_catalogue(tmp_path, strip)).problems
    assert (
        "broken.yaml: capability 'ci': role is missing; it must be one of characteristic, "
        "component, optional" in problems
    )
    assert (
        "broken.yaml: capability 'ci': observable is missing; it must be yes, partly or no"
        in problems
    )


def test_topological_order_puts_prerequisites_first(catalogue):
    order = [c.key for c in catalogue.topological_order]
    assert sorted(order) == sorted(c.key for c in catalogue.capabilities)
    for c in catalogue.capabilities:
        for p in c.prerequisites:
            assert order.index(p) < order.index(c.key)


def test_questions_for_accepts_a_key_or_a_capability(catalogue):
    ci = catalogue.capability("ci")
    assert catalogue.questions_for(ci) == catalogue.questions_for("ci")
    assert {q.key for q in catalogue.questions_for("ci")} == {"ci_runs_tests", "ci_gates_merge"}


def test_a_question_can_grade_several_capabilities(catalogue):
    lineage = catalogue.question("model_lineage")
    assert lineage.capabilities == ("metadata_store", "model_registry")
    assert lineage in catalogue.questions_for("model_registry")


def test_graded_options_follow_the_ml_test_score_scale(catalogue):
    options = {o.key: o for o in catalogue.question("ci_runs_tests").options}
    assert [(k, o.grade) for k, o in options.items()] == [
        ("no", 0.0),
        ("partly", 0.5),
        ("yes", 1.0),
        ("unknown", None),
        ("na", None),
    ]
    assert options["na"].not_applicable
    assert not options["unknown"].not_applicable


def test_context_questions_carry_no_grades(catalogue):
    for question in catalogue.context_questions:
        assert all(o.grade is None for o in question.options)
        assert question.capabilities == ()


# --- Validation errors name the file, the entry and the problem ---------------------------


def test_an_unknown_key_is_reported(tmp_path):
    path = write_catalogue(tmp_path, lambda d: entry(d, "capabilities", "ci").update(levle=2))
    assert "broken.yaml: capability 'ci': unknown key 'levle'" in load_error(path).problems


def test_an_unknown_top_level_key_is_reported(tmp_path):
    path = write_catalogue(tmp_path, lambda d: d.update(capabilites=[]))
    assert "broken.yaml: unknown top-level key 'capabilites'" in load_error(path).problems


def test_an_unknown_option_key_is_reported(tmp_path):
    path = write_catalogue(tmp_path, lambda d: d["option_sets"]["automation"][0].update(score=0))
    assert (
        "broken.yaml: option set 'automation' option 'no': unknown key 'score'"
        in load_error(path).problems
    )


def test_a_missing_required_key_is_reported(tmp_path):
    path = write_catalogue(tmp_path, lambda d: entry(d, "capabilities", "ci").pop("verify"))
    assert (
        "broken.yaml: capability 'ci': missing required key 'verify'" in load_error(path).problems
    )


def test_a_dangling_prerequisite_is_reported(tmp_path):
    path = write_catalogue(
        tmp_path, lambda d: entry(d, "capabilities", "ci")["prerequisites"].append("foo")
    )
    assert (
        "broken.yaml: capability 'ci': prerequisite 'foo' does not exist"
        in load_error(path).problems
    )


@pytest.mark.parametrize(
    ("section", "key", "field", "value", "problem"),
    [
        ("capabilities", "ci", "dimension", "nowhere", "dimension 'nowhere' does not exist"),
        ("capabilities", "ci", "debt", "credit_card", "debt kind 'credit_card' does not exist"),
        ("capabilities", "ci", "level", 3, "level 3 must be 0, 1 or 2"),
        ("capabilities", "ci", "impact", 7, "impact 7 must be 1, 2 or 3"),
        ("capabilities", "ci", "effort", "XL", "effort 'XL' must be one of ['L', 'M', 'S']"),
        (
            "capabilities",
            "ci",
            "role",
            "gate",
            "role 'gate' must be one of characteristic, component, optional",
        ),
        (
            "capabilities",
            "ci",
            "observable",
            "maybe",
            "observable 'maybe' must be one of yes, partly, no",
        ),
        ("capabilities", "ci", "detectors", "ci", "detectors must be a list of detector names"),
        ("questions", "unit_tests", "capabilities", ["nope"], "capability 'nope' does not exist"),
        ("questions", "unit_tests", "options", "fancy", "option set 'fancy' does not exist"),
        (
            "questions",
            "load_tests",
            "skip_if",
            {"question": "ghost", "in": ["no"]},
            "skip_if question 'ghost' does not exist",
        ),
        (
            "questions",
            "load_tests",
            "skip_if",
            {"question": "online_serving", "in": ["maybe"]},
            "skip_if option 'maybe' does not exist in question 'online_serving'",
        ),
        (
            "questions",
            "load_tests",
            "skip_if",
            {"question": "unit_tests", "in": ["no"]},
            "skip_if question 'unit_tests' must be a context question",
        ),
    ],
)
def test_dangling_references_and_bad_values_are_reported(
    tmp_path, section, key, field, value, problem
):
    path = write_catalogue(tmp_path, lambda d: entry(d, section, key).update({field: value}))
    kind = "capability" if section == "capabilities" else "question"
    assert f"broken.yaml: {kind} '{key}': {problem}" in load_error(path).problems


def test_a_grade_off_the_scale_is_reported(tmp_path):
    path = write_catalogue(tmp_path, lambda d: d["option_sets"]["automation"][1].update(grade=0.7))
    assert (
        "broken.yaml: option set 'automation' option 'partly': grade 0.7 must be one of "
        "0, 0.5, 1 or null" in load_error(path).problems
    )


def test_a_prerequisite_cycle_is_reported(tmp_path):
    def mutate(d):
        entry(d, "capabilities", "automated_tests")["prerequisites"].append("ci")

    assert "broken.yaml: prerequisite cycle: automated_tests -> ci -> automated_tests" in (
        load_error(write_catalogue(tmp_path, mutate)).problems
    )


def test_a_prerequisite_needed_later_than_its_dependent_is_reported(tmp_path):
    path = write_catalogue(
        tmp_path, lambda d: entry(d, "capabilities", "model_cd")["prerequisites"].append("ci")
    )
    assert (
        "broken.yaml: capability 'model_cd': prerequisite 'ci' is required at level 2, "
        "later than 'model_cd' itself (level 1)" in load_error(path).problems
    )


def test_a_missing_canonical_capability_is_reported(tmp_path):
    def mutate(d):
        d["capabilities"] = [c for c in d["capabilities"] if c["key"] != "feature_store"]
        d["questions"] = [q for q in d["questions"] if q["key"] != "feature_store_used"]

    problems = load_error(write_catalogue(tmp_path, mutate)).problems
    assert problems == (
        "broken.yaml: capability 'feature_store': is missing; it is a stable identifier the "
        "scanner, CLI and API rely on",
    )


def test_a_duplicate_capability_key_is_reported(tmp_path):
    def mutate(d):
        d["capabilities"].append(copy.deepcopy(entry(d, "capabilities", "ci")))

    assert (
        "broken.yaml: capability 'ci': duplicate key: another capability already uses 'ci'"
        in load_error(write_catalogue(tmp_path, mutate)).problems
    )


def test_a_key_repeated_inside_one_yaml_mapping_is_reported(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("version: '1'\nversion: '2'\n", encoding="utf-8")
    message = str(load_error(path))
    assert message.startswith("twice.yaml: is not valid YAML")
    assert "duplicate key 'version'" in message


def test_an_unquoted_yes_option_is_explained(tmp_path):
    path = write_catalogue(tmp_path, lambda d: d["option_sets"]["automation"][2].update(key=True))
    assert (
        "broken.yaml: option set 'automation' option #3: key True must be lower_snake_case "
        "text (quote yes/no/on/off)" in load_error(path).problems
    )


def test_a_capability_no_question_grades_is_reported(tmp_path):
    def mutate(d):
        d["questions"] = [q for q in d["questions"] if q["key"] != "feature_store_used"]

    assert (
        "broken.yaml: capability 'feature_store': no question grades it"
        in load_error(write_catalogue(tmp_path, mutate)).problems
    )


def test_every_problem_is_reported_at_once(tmp_path):
    def mutate(d):
        entry(d, "capabilities", "ci").update(levle=2)
        entry(d, "capabilities", "monitoring").update(colour="red")

    assert len(load_error(write_catalogue(tmp_path, mutate)).problems) == 2


def test_an_unreadable_file_is_a_catalogue_error(tmp_path):
    error = load_error(tmp_path / "absent.yaml")
    assert str(error).startswith("absent.yaml: cannot be read")
    assert isinstance(error, ValueError)
