"""GET /api/v1/catalogue/: the current catalogue in its stable shape."""

from assessments import maturity


def test_it_answers_the_current_catalogue_in_the_documented_shape(as_member):
    response = as_member.get("/api/v1/catalogue/")
    assert response.status_code == 200
    body = response.json()
    catalogue = maturity.load_catalogue()
    assert set(body) == {"version", "dimensions", "capabilities", "questions"}
    assert body["version"] == catalogue.version
    assert [d["key"] for d in body["dimensions"]] == [d.key for d in catalogue.dimensions]
    assert all(set(d) == {"key", "title"} for d in body["dimensions"])
    assert all(
        set(c) == {"key", "dimension", "level", "optional", "title"} for c in body["capabilities"]
    )
    assert len(body["capabilities"]) == len(catalogue.capabilities)
    for question in body["questions"]:
        assert set(question) == {"key", "capabilities", "text", "options"}
        for option in question["options"]:
            assert set(option) == {"key", "label", "grade"}
            assert option["grade"] in (0, 0.5, 1, None)


def test_dont_know_and_not_applicable_have_no_grade(as_member):
    questions = as_member.get("/api/v1/catalogue/").json()["questions"]
    graded = next(q for q in questions if q["capabilities"])
    grades = {option["key"]: option["grade"] for option in graded["options"]}
    catalogue_question = maturity.load_catalogue().question(graded["key"])
    for option in catalogue_question.options:
        assert grades[option.key] == option.grade
    assert None in grades.values()
    assert {0, 1} <= set(grades.values())


def test_it_needs_credentials(anonymous, db):
    response = anonymous.get("/api/v1/catalogue/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
