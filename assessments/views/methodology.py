"""The methodology page: how levels, the index, the target and the debt are computed."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..maturity import load_catalogue
from ..maturity.lenses import MICROSOFT_ASPECT_TITLES, eu_ai_act_lens, microsoft_lens

ROLE_WORDS = {
    "characteristic": "Defines the level",
    "component": "Additional component",
    "optional": "Optional",
}
OBSERVABLE_WORDS = {
    "yes": "Yes: a scan that finds nothing means missing",
    "partly": "Partly: counts when found, absence proves nothing",
    "no": "No: only an answer can tell",
}


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    catalogue = load_catalogue()
    levels = []
    for level in catalogue.levels:
        capabilities = [c for c in catalogue.capabilities if c.level == level.number]
        levels.append(
            {
                "level": level,
                "rows": [
                    {
                        "capability": c,
                        "dimension": catalogue.dimension(c.dimension).title,
                        "role": ROLE_WORDS[c.role],
                        "observable": OBSERVABLE_WORDS[c.observable],
                    }
                    for c in capabilities
                ],
            }
        )
    return render(
        request,
        "assessments/methodology.html",
        {
            "catalogue": catalogue,
            "levels": levels,
            "microsoft": microsoft_lens(),
            "eu": eu_ai_act_lens(),
            "capability_titles": {c.key: c.title for c in catalogue.capabilities},
            "aspect_titles": MICROSOFT_ASPECT_TITLES,
        },
    )
