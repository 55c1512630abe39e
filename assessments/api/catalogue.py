"""The catalogue the questionnaire asks: dimensions, capabilities, questions and their options.
No team data."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .. import maturity
from . import serializers as s
from .base import UnscopedAPIView


class CatalogueView(UnscopedAPIView):
    """The current catalogue: dimensions, capabilities, questions and their options."""

    @extend_schema(responses=s.CatalogueSerializer, operation_id="catalogue_retrieve")
    def get(self, request: Request) -> Response:
        return Response(s.CatalogueSerializer(maturity.load_catalogue()).data)
