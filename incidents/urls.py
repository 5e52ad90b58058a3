from __future__ import annotations

from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("report/quick/", views.quick_log, name="quick"),
    path("report/new/", views.report_new, name="new"),
    path("reports/", views.my_reports, name="list"),
    path("reports/<str:reference>/", views.report_detail, name="detail"),
    path("reports/<str:reference>/submitted/", views.submitted, name="submitted"),
    path("reports/<str:reference>/edit/<int:step>/", views.report_step, name="step"),
    path("reports/<str:reference>/check/", views.report_check, name="check"),
    path("reports/<str:reference>/withdraw/", views.report_withdraw, name="withdraw"),
    path("reports/<str:reference>/answer/", views.report_answer, name="answer"),
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.my_data, {"file_format": "json"}, name="data_json"),
    path("profile/my-data.csv", views.my_data, {"file_format": "csv"}, name="data_csv"),
    path("profile/close/", views.account_close, name="close"),
]
