import json

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_application_model


@csrf_exempt
def testing_user(request):
    """Create or update a user: {username, password, email, groups}. Test project only."""
    data = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=data["username"])
    user.email = data.get("email", "")
    user.first_name = data.get("first_name", "")
    user.last_name = data.get("last_name", "")
    user.set_password(data["password"])
    user.save()
    user.groups.set(Group.objects.get_or_create(name=name)[0] for name in data.get("groups", []))
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
def testing_client(request):
    """Register a confidential client: {client_id, client_secret, redirect_uris, ...}."""
    data = json.loads(request.body)
    Application = get_application_model()
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        name=data.get("name", "MLMaturity"),
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        post_logout_redirect_uris=" ".join(data.get("post_logout_redirect_uris", [])),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=data.get("skip_authorization", False),
    )
    return JsonResponse({"ok": True})


def home(request):
    who = request.user.username if request.user.is_authenticated else "nobody"
    return HttpResponse(f"Test provider; signed in: {who}", content_type="text/plain")


urlpatterns = [
    path("", home),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("testing/user/", testing_user),
    path("testing/client/", testing_client),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
