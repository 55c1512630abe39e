"""The org admins' page of the organisation's own checks: the current version, importing a new
one (pasted or uploaded YAML), downloading a version, and the history of versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors
from ..access import is_org_admin, signed_in
from ..forms import CheckSetImportForm
from ..maturity import load_catalogue
from ..maturity.custom_checks import RULE_KINDS
from ..models import Organization
from ..services.custom_checks import CheckSetInvalid, check_set_import

EXAMPLE = """\
counts_towards_levels: false
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""


def _organizations(request: HttpRequest) -> tuple[list[Organization], Organization]:
    if not is_org_admin(request.user):
        raise PermissionDenied(
            "Only org admins manage the organisation's own checks: they apply to every team."
        )
    organizations = list(selectors.organizations_administered(user=request.user))
    if not organizations:
        raise Http404("No organisation exists yet.")
    chosen = request.GET.get("organization") or request.POST.get("organization")
    if chosen:
        organization = next((o for o in organizations if o.slug == chosen), None)
        if organization is None:
            raise Http404("No organisation you administer has this name.")
    else:
        organization = organizations[0]
    return organizations, organization


@login_required
def organization_checks(request: HttpRequest) -> HttpResponse:
    """View the current version, import a new one, and see the history."""
    organizations, organization = _organizations(request)
    form = CheckSetImportForm(request.POST or None, request.FILES or None)
    problems: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            version, created = check_set_import(
                organization=organization,
                yaml_text=form.cleaned_data["yaml_text"],
                actor=signed_in(request.user),
            )
        except CheckSetInvalid as error:
            problems = error.problems
        else:
            if created:
                messages.success(
                    request,
                    f"Version {version.number} is now {organization.name}'s check set; every "
                    "scan from now on applies it.",
                )
            else:
                messages.info(
                    request,
                    f"Nothing changed: version {version.number} already says exactly this.",
                )
            url = reverse("organization_checks")
            if len(organizations) > 1:
                url += f"?organization={organization.slug}"
            return redirect(url)
    versions = list(
        selectors.check_set_versions_for_organization(user=request.user, organization=organization)
    )
    current = versions[0] if versions else None
    if request.method != "POST":
        shown = EXAMPLE if current is None else current.yaml_text
        form = CheckSetImportForm(initial={"yaml_text": shown})
    catalogue = load_catalogue()
    context = {
        "organization": organization,
        "organizations": organizations,
        "several_organizations": len(organizations) > 1,
        "current": current,
        "versions": versions,
        "form": form,
        "problems": problems,
        "dimensions": catalogue.dimensions,
        "dimension_titles": {d.key: d.title for d in catalogue.dimensions},
        "rule_kinds": RULE_KINDS,
    }
    status = 400 if problems or form.errors else 200
    return render(request, "assessments/organization_checks.html", context, status=status)


@login_required
def organization_checks_download(request: HttpRequest, number: int) -> HttpResponse:
    """A version's YAML, as a file to keep in a repository."""
    _, organization = _organizations(request)
    version = selectors.check_set_version_get_for_user(
        user=request.user, organization=organization, number=number
    )
    response = HttpResponse(version.yaml_text, content_type="application/yaml; charset=utf-8")
    filename = f"{organization.slug}-checks-v{version.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
