"""The one error shape, documented for the schema."""

from typing import Any

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # DRF moves declared fields out of the class


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="The same sentence as error.message.")
    error = ErrorDetailSerializer()
