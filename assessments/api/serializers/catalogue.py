"""The catalogue as the API describes it: dimensions, capabilities, questions, options."""

from typing import Any

from rest_framework import serializers


class CatalogueOptionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF moves declared fields out of the class
    grade = serializers.FloatField(
        allow_null=True,
        help_text='0, 0.5 or 1; null for "don\'t know", "not applicable" and context answers.',
    )


class CatalogueQuestionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    options = CatalogueOptionSerializer(many=True)


class CatalogueCapabilitySerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    dimension = serializers.CharField()
    level = serializers.IntegerField(help_text="The MLOps level (0-2) that requires it.")
    optional = serializers.BooleanField()
    title = serializers.CharField()


class CatalogueDimensionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()


class CatalogueSerializer(serializers.Serializer[Any]):
    version = serializers.CharField()
    dimensions = CatalogueDimensionSerializer(many=True)
    capabilities = CatalogueCapabilitySerializer(many=True)
    questions = CatalogueQuestionSerializer(many=True)
