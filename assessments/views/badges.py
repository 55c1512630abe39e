"""The maturity badge: the team turns it on and copies its URL; anyone with the URL sees the
team's level and index as an SVG, and nothing else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..access import can_manage_team, signed_in
from ..badge_svg import LABEL, badge_svg, spoken_text
from ..services.badges import badge_disable, badge_enable

# READMEs fetch badges through caching proxies (GitHub's camo): a few minutes old is fine.
BADGE_MAX_AGE_SECONDS = 300


@require_GET
def badge_image(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the figures behind a badge token, as an SVG. An unknown token and a badge
    turned off look the same."""
    figures = selectors.badge_figures(token=token)
    if figures is None:
        # Plain and the same for every address: an image URL has no page to show.
        return HttpResponseNotFound("No badge at this address.", content_type="text/plain")
    response = HttpResponse(
        badge_svg(figures.level, figures.maturity_index), content_type="image/svg+xml"
    )
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE_SECONDS)
    # Opened on its own, the image may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def team_badge(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get_for_user(user=request.user, slug=slug)
    if request.method == "POST":
        if request.POST.get("action") == "disable":
            if badge_disable(team=team, actor=signed_in(request.user)):
                messages.success(request, "The badge is off: its address shows nothing now.")
        else:
            badge_enable(team=team, actor=signed_in(request.user))
            messages.success(request, "The badge is on. Copy its address into your README.")
        return redirect("team_badge", slug=team.slug)
    badge = selectors.badge_for_team(team=team)
    context: dict[str, object] = {
        "team": team,
        "badge": badge,
        "can_manage": can_manage_team(request.user, team),
    }
    if badge is not None:
        url = request.build_absolute_uri(reverse("badge_image", args=[badge.token]))
        figures = selectors.badge_figures(token=badge.token)
        context |= {
            "badge_url": url,
            "badge_markdown": f"![{LABEL}]({url})",
            "badge_spoken": spoken_text(*figures) if figures else "",
        }
    return render(request, "assessments/team_badge.html", context)
