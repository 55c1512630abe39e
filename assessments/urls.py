from django.urls import path

from .views import teams

urlpatterns = [
    path("", teams.home, name="home"),
    path("teams/<slug:slug>/", teams.team_detail, name="team_detail"),
    path("health/", teams.health, name="health"),
]
