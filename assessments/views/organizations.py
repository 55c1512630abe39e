"""The organisation's settings page, for its admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors
from ..access import is_org_admin, signed_in
from ..errors import ApplicationError
from ..forms import HeadlineLensForm
from ..models import HeadlineLens
from ..services.organizations import organization_headline_lens_set


@login_required
def organization_settings(request: HttpRequest) -> HttpResponse:
    """Choose each administered organisation's headline model (Google's or Microsoft's)."""
    if not is_org_admin(request.user):
        raise PermissionDenied(
            "Only org admins change the organisation's settings: they apply to every team."
        )
    organizations = list(selectors.organizations_administered(user=request.user))
    form = HeadlineLensForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = next(o for o in organizations if o.slug == form.cleaned_data["organization"])
        try:
            changed = organization_headline_lens_set(
                organization=organization,
                headline_lens=form.cleaned_data["headline_lens"],
                actor=signed_in(request.user),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            chosen = HeadlineLens(organization.headline_lens).label
            messages.success(
                request,
                f"{organization.name} now leads with {chosen}."
                if changed
                else f"{organization.name} already leads with {chosen}.",
            )
            return redirect("organization_settings")
    context = {
        "form": form,
        "organizations": organizations,
        "several_organizations": len(organizations) > 1,
    }
    return render(
        request,
        "assessments/organization_settings.html",
        context,
        status=400 if form.errors else 200,
    )
