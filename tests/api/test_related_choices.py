"""Serializers limit a related field to the rows the user may pick, by the field's name."""

import pytest
from rest_framework import serializers

from assessments.api.serializers.fields import related_choices_limit
from assessments.models import Team


class _Serializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    note = serializers.CharField()


def test_a_related_field_is_limited_to_the_rows_given():
    serializer = _Serializer()
    limited = Team.objects.none()

    related_choices_limit(serializer, "team", limited)

    assert serializer.fields["team"].queryset is limited


def test_a_field_that_is_not_related_is_refused_with_a_sentence():
    with pytest.raises(TypeError, match="The serializer's field 'note' is not a related field."):
        related_choices_limit(_Serializer(), "note", Team.objects.none())
