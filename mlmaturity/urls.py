from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments.forms import StyledPasswordChangeForm
from assessments.views import accounts, profile, sso
from assessments.views.teams import favicon

# The app's own error pages; under /api/ they answer in the API's error shape.
handler400 = "assessments.views.errors.bad_request"
handler403 = "assessments.views.errors.permission_denied"
handler404 = "assessments.views.errors.page_not_found"
handler500 = "assessments.views.errors.server_error"

account_patterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", sso.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("profile/", profile.profile, name="profile"),
    path(
        "profile/tokens/<int:token_id>/revoke/",
        profile.api_token_revoke_view,
        name="api_token_revoke",
    ),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include(account_patterns)),
    # Single sign-on: /oidc/authenticate/ to the provider, /oidc/callback/ back from it.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("assessments.api.urls")),
    path("dashboard/", include("assessments.dashboards.urls")),
    path("", include("assessments.urls")),
]
