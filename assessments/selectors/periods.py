"""Narrowing reads to a period the caller chose."""


def apply_date_range(queryset, field: str, filters: dict):
    """Filter `field` by the validated `since` / `until` bounds (a bare `until` date is
    exclusive of the next day's midnight)."""
    if "since" in filters:
        queryset = queryset.filter(**{f"{field}__gte": filters["since"][0]})
    if "until" in filters:
        moment, next_midnight = filters["until"]
        lookup = "lt" if next_midnight else "lte"
        queryset = queryset.filter(**{f"{field}__{lookup}": moment})
    return queryset
