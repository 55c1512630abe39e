"""Query parameters: date bounds and the filters of the team and assessment lists."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import AssessmentStatus

# A bound reads as (the moment in UTC, whether it was a bare date closing a range).
DateBound = tuple[datetime, bool]


# Documented as a date; a full ISO 8601 date-time is accepted too (see the field's help text).
@extend_schema_field({"type": "string", "format": "date", "minLength": 10})
class DateBoundField(serializers.Field[DateBound, object, DateBound, Any]):
    """A date (YYYY-MM-DD) or an ISO 8601 date-time. A bare date as an upper bound includes
    that whole day."""

    default_error_messages = {
        "invalid": "Give a date as YYYY-MM-DD or a date-time as YYYY-MM-DDTHH:MM[:SS][+HH:MM].",
        "out_of_range": "The date is outside the range the calendar can handle.",
    }

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> DateBound:
        text = str(data).strip()
        try:
            # Date first: parse_datetime() would read a bare date as midnight.
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        try:
            if day is not None:
                moment = datetime.combine(day + timedelta(days=1) if self.upper else day, time.min)
            elif moment is None:
                self.fail("invalid")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # Databases compare in UTC; a date at the edge of the calendar cannot be converted.
            moment = moment.astimezone(UTC)
        except (OverflowError, ValueError):
            self.fail("out_of_range")
        return moment, self.upper and day is not None

    def to_representation(self, value: DateBound) -> DateBound:
        return value


class DateRangeFilterMixin(serializers.Serializer[Any]):
    since = DateBoundField(required=False, help_text="On or after this date or date-time.")
    until = DateBoundField(
        required=False, upper=True, help_text="On or before this date (whole day) or date-time."
    )


class TeamFilterSerializer(serializers.Serializer[Any]):
    tag = serializers.CharField(required=False, max_length=60, help_text="Teams with this tag.")


class AssessmentFilterSerializer(DateRangeFilterMixin):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False)
