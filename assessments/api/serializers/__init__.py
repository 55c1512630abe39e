"""Serializers: the stable shapes scripts and BI tools rely on.

One module per subject; every serializer is re-exported here.
"""

from .assessments import (
    AnswerBulkItemSerializer,
    AnswerBulkResultSerializer,
    AnswerBulkWriteSerializer,
    AnswerSerializer,
    AnswerWriteSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    OrganizationSerializer,
    ResultSummarySerializer,
    TeamSerializer,
)
from .catalogue import (
    CatalogueCapabilitySerializer,
    CatalogueDimensionSerializer,
    CatalogueOptionSerializer,
    CatalogueQuestionSerializer,
    CatalogueSerializer,
)
from .errors import ErrorDetailSerializer, ErrorSerializer
from .filters import (
    AssessmentFilterSerializer,
    DateBoundField,
    DateRangeFilterMixin,
    TeamFilterSerializer,
)
from .results import (
    CapabilityResultSerializer,
    ContradictionSerializer,
    DebtItemSerializer,
    DebtSerializer,
    DebtTotalSerializer,
    EvidenceSerializer,
    LevelProgressSerializer,
    MLTestScoreSerializer,
    ReadingWithExemptionsSerializer,
    ResultSerializer,
    RoadmapStepSerializer,
    TargetSerializer,
)
from .tokens import TokenRequestSerializer, TokenResponseSerializer

__all__ = [
    "AnswerBulkItemSerializer",
    "AnswerBulkResultSerializer",
    "AnswerBulkWriteSerializer",
    "AnswerSerializer",
    "AnswerWriteSerializer",
    "AssessmentCreateSerializer",
    "AssessmentFilterSerializer",
    "AssessmentSerializer",
    "CapabilityResultSerializer",
    "CatalogueCapabilitySerializer",
    "CatalogueDimensionSerializer",
    "CatalogueOptionSerializer",
    "CatalogueQuestionSerializer",
    "CatalogueSerializer",
    "ContradictionSerializer",
    "DateBoundField",
    "DateRangeFilterMixin",
    "DebtItemSerializer",
    "DebtSerializer",
    "DebtTotalSerializer",
    "ErrorDetailSerializer",
    "ErrorSerializer",
    "EvidenceSerializer",
    "LevelProgressSerializer",
    "MLTestScoreSerializer",
    "OrganizationSerializer",
    "ReadingWithExemptionsSerializer",
    "ResultSerializer",
    "ResultSummarySerializer",
    "RoadmapStepSerializer",
    "TargetSerializer",
    "TeamFilterSerializer",
    "TeamSerializer",
    "TokenRequestSerializer",
    "TokenResponseSerializer",
]
