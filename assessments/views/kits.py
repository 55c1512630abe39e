"""A level-up kit in the browser: the files it adds or changes, what it does and does not do,
and the patch to download."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import kits, maturity, selectors
from ..services.kits import KitUnavailable, kit_for_repository


@login_required
@require_GET
def repository_kit(request, pk, capability):
    repository = selectors.repository_get_for_user(user=request.user, repository_id=pk)
    catalogue = maturity.load_catalogue()
    title = (
        catalogue.capability(capability).title
        if catalogue.has_capability(capability)
        else capability
    )
    context = {"repository": repository, "team": repository.team, "capability_title": title}
    try:
        kit, commit = kit_for_repository(repository=repository, capability=capability)
    except KitUnavailable as error:
        context["error"] = error.message
        return render(request, "assessments/repository_kit.html", context, status=400)
    patch = kits.as_patch(kit.changes)
    if request.GET.get("download"):
        response = HttpResponse(patch, content_type="text/x-diff; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{capability}.patch"'
        return response
    context |= {"kit": kit, "commit": commit, "patch_lines": patch.count("\n")}
    return render(request, "assessments/repository_kit.html", context)
