"""Every API list is paginated the same way: `{"count", "next", "previous", "results"}`."""

from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

if TYPE_CHECKING:
    # For the checker only: DRF's settings load this module while DRF's views are importing.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: "Request") -> int:
        """DRF quietly falls back to the default on a bad page size; a script deserves a 400."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        valid = len(values) == 1 and values[0].isdigit()
        if not valid or not 1 <= int(values[0]) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give one whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return int(values[0])

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
