"""Helpers for serializers whose choices depend on who asks."""

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers


def related_choices_limit(
    serializer: serializers.Serializer[Any], name: str, queryset: QuerySet[Model]
) -> None:
    """Limit the related field `name` to `queryset`: rows outside it are refused as unknown."""
    field = serializer.fields[name]
    if not isinstance(field, serializers.RelatedField):
        raise TypeError(f"The serializer's field {name!r} is not a related field.")
    field.queryset = queryset
