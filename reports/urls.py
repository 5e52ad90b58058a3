from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/method/", views.method, name="method"),
    path("dashboard/method/statement.md", views.method_statement, name="method_statement"),
    path("dashboard/recompute/", views.recompute, name="recompute"),
    path("dashboard/<slug:slug>/", views.force_dashboard, name="force"),
    path("dashboard/<slug:slug>/<str:year>/briefing/", views.briefing, name="briefing"),
]
