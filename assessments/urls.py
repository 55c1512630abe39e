from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/<slug:slug>/", views.team_detail, name="team_detail"),
    path("health/", views.health, name="health"),
]
