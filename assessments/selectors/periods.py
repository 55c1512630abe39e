"""Narrowing reads to a period the caller chose."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

# Any model's queryset, whether it yields instances, dicts or tuples, comes back the same kind.
AnyModel = TypeVar("AnyModel", bound=Model)
AnyRow = TypeVar("AnyRow")


def apply_date_range(
    queryset: QuerySet[AnyModel, AnyRow], field: str, filters: Mapping[str, Any]
) -> QuerySet[AnyModel, AnyRow]:
    """Filter `field` by the validated `since` / `until` bounds (a bare `until` date is
    exclusive of the next day's midnight)."""
    if "since" in filters:
        queryset = queryset.filter(**{f"{field}__gte": filters["since"][0]})
    if "until" in filters:
        moment, next_midnight = filters["until"]
        lookup = "lt" if next_midnight else "lte"
        queryset = queryset.filter(**{f"{field}__{lookup}": moment})
    return queryset
