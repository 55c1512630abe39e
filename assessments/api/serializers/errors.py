"""The one error shape, documented for the schema."""

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The same sentence as error.message.")
    error = ErrorDetailSerializer()
