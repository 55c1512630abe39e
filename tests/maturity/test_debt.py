from datetime import date, datetime, timedelta

import pytest

from assessments.maturity import accrued_interest, debt_statement, debt_total, score
from assessments.maturity.debt import DAYS_PER_MONTH
from tests.maturity.builders import answer_all, answer_up_to_level

JAN = date(2026, 1, 1)


def by_capability(items):
    return {item.capability: item for item in items}


def test_first_seen_is_the_start_of_the_current_open_run(catalogue):
    history = [
        (JAN, {"ci", "monitoring", "data_validation"}),
        (date(2026, 2, 1), {"ci", "data_validation"}),
        (date(2026, 3, 1), {"ci", "monitoring", "data_validation"}),
        (date(2026, 4, 1), {"ci", "monitoring"}),
    ]
    items = by_capability(debt_statement(history, criticality="critical", today=date(2026, 4, 11)))
    assert set(items) == {"ci", "monitoring"}  # data validation was closed in April
    assert items["ci"].first_seen == JAN
    assert items["ci"].days_outstanding == 100
    assert items["monitoring"].first_seen == date(2026, 3, 1)  # reopened in March
    assert items["monitoring"].days_outstanding == 41


def test_interest_compounds_monthly_on_the_effort(catalogue):
    one_year = round(12 * DAYS_PER_MONTH)
    assert accrued_interest(5, 0, "critical") == 0
    assert accrued_interest(5, one_year, "non_critical") == round(5 * (1.02**12 - 1), 2) == 1.34
    assert accrued_interest(5, one_year, "critical") == round(5 * (1.05**12 - 1), 2) == 3.98
    assert accrued_interest(5, one_year, "proof_of_concept") == 0.63


def test_interest_grows_with_age_and_criticality(catalogue):
    history = [(JAN, {"ci"})]
    amounts = [
        debt_statement(history, criticality=criticality, today=JAN + timedelta(days=days))[
            0
        ].interest
        for criticality in ("proof_of_concept", "non_critical", "critical")
        for days in (30, 90, 255)
    ]
    poc, non_critical, critical = amounts[0:3], amounts[3:6], amounts[6:9]
    for row in (poc, non_critical, critical):
        assert row == sorted(row)
        assert row[0] < row[-1]
    for i in range(3):
        assert poc[i] < non_critical[i] < critical[i]


def test_the_bill_lists_the_costliest_debt_first(catalogue):
    history = [
        (JAN, {"ci", "staged_promotion"}),
        (date(2026, 6, 1), {"ci", "staged_promotion", "model_documentation"}),
    ]
    items = debt_statement(history, criticality="non_critical", today=date(2026, 7, 1))
    assert [i.capability for i in items] == ["staged_promotion", "ci", "model_documentation"]
    assert [i.interest for i in items] == sorted((i.interest for i in items), reverse=True)
    staged = items[0]
    assert (staged.principal, staged.debt_kind, staged.debt_title) == (
        15.0,
        "entanglement",
        "Entanglement",
    )
    assert staged.balance == round(staged.principal + staged.interest, 2)


def test_results_can_be_the_history_and_their_gaps_are_the_debt(catalogue):
    early = score(catalogue, answer_all(catalogue, "no"))
    later = score(catalogue, answer_up_to_level(catalogue, 1, {"data_validation": "no"}))
    items = debt_statement(
        [(JAN, early), (datetime(2026, 3, 1, 9, 30), later)],
        criticality="critical",
        today=date(2026, 3, 31),
    )
    keys = {i.capability for i in items}
    assert "data_validation" in keys
    assert "ci" in keys
    assert "feature_store" not in keys  # optional capabilities are not debt
    assert all(i.first_seen == JAN for i in items)


def test_the_target_level_bounds_the_bill(catalogue):
    history = [(JAN, {"ci", "data_validation"})]
    items = debt_statement(history, criticality="critical", today=JAN, target_level=1)
    assert [i.capability for i in items] == ["data_validation"]


def test_the_total_adds_up(catalogue):
    history = [(JAN, {"ci", "data_validation", "staged_promotion"})]
    items = debt_statement(history, criticality="critical", today=date(2026, 9, 1))
    total = debt_total(items)
    assert total.items == 3
    assert total.principal == 2 + 5 + 15
    assert total.interest == round(sum(i.interest for i in items), 2)
    assert total.balance == round(total.principal + total.interest, 2)
    assert debt_total([]).balance == 0


def test_an_empty_history_owes_nothing(catalogue):
    assert debt_statement([], criticality="critical", today=JAN) == []


@pytest.mark.parametrize(
    ("history", "kwargs", "message"),
    [
        ([(JAN, {"ci"})], {"criticality": "vital"}, "criticality 'vital' must be one of"),
        ([(JAN, {"warp_drive"})], {}, "unknown capability 'warp_drive'"),
        ([(date(2026, 2, 1), set()), (JAN, set())], {}, "not in date order"),
        ([(date(2027, 1, 1), set())], {}, "before the latest assessment"),
    ],
)
def test_bad_input_is_refused_with_a_reason(history, kwargs, message):
    arguments = {"criticality": "critical", "today": JAN + timedelta(days=1), **kwargs}
    with pytest.raises(ValueError, match=message):
        debt_statement(history, **arguments)


def test_a_debt_item_serialises(catalogue):
    (item,) = debt_statement([(JAN, {"ci"})], criticality="critical", today=date(2026, 2, 1))
    data = item.to_dict()
    assert data["first_seen"] == "2026-01-01"
    assert data["days_outstanding"] == 31
    assert data["balance"] == item.balance
