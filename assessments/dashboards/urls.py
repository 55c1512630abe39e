from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="dashboard"),
    path("compare/", views.compare, name="dashboard_compare"),
    path("debt/", views.debt, name="dashboard_debt"),
    path("csv/<slug:table>.csv", views.csv_download, name="dashboard_csv"),
]
