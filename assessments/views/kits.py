"""A level-up kit in the browser: the files it adds or changes, what it does and does not do,
and the patch to download. A worker builds the kit; until it is ready the page says so and
shows the kit when it is (static/js/kit.js), or on "Check again" without JavaScript."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import kits, maturity, selectors
from ..models import KitBuildStatus
from ..services.kits import KIT_RETRY_SECONDS, KitRefused, kit_build_request

TEMPLATE = "assessments/repository_kit.html"


@login_required
@require_GET
def repository_kit(request: HttpRequest, pk: int, capability: str) -> HttpResponse:
    repository = selectors.repository_get_for_user(user=request.user, repository_id=pk)
    catalogue = maturity.load_catalogue()
    title = (
        catalogue.capability(capability).title
        if catalogue.has_capability(capability)
        else capability
    )
    context = {"repository": repository, "team": repository.team, "capability_title": title}
    try:
        build = kit_build_request(repository=repository, capability=capability)
    except KitRefused as error:
        context["error"] = error.message
        return render(request, TEMPLATE, context, status=400)
    if build.status in {KitBuildStatus.PENDING, KitBuildStatus.RUNNING}:
        # 202: accepted, not ready; the page's script asks again until the answer changes.
        return render(request, TEMPLATE, context | {"preparing": True}, status=202)
    if build.status in {KitBuildStatus.UNAVAILABLE, KitBuildStatus.FAILED}:
        response = render(request, TEMPLATE, context | {"error": build.failure_reason}, status=400)
        if build.status == KitBuildStatus.FAILED:
            # The repository could not be read: the next request after this starts again.
            response["Retry-After"] = str(KIT_RETRY_SECONDS)
        return response
    # Neither preparing nor refused: the build is ready, and a ready build holds its kit.
    assert build.kit is not None
    kit = kits.Kit.from_dict(build.kit)
    patch = kits.as_patch(kit.changes)
    if request.GET.get("download"):
        response = HttpResponse(patch, content_type="text/x-diff; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{capability}.patch"'
        return response
    context |= {"kit": kit, "commit": build.commit, "patch_lines": patch.count("\n")}
    return render(request, TEMPLATE, context)
