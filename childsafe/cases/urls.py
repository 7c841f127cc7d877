from __future__ import annotations

from django.urls import path

from childsafe.cases import views, views_poi

urlpatterns = [
    path("poi/", views_poi.poi_list, name="cases-poi-list"),
    path("poi/<int:poi_id>/", views_poi.poi_detail, name="cases-poi-detail"),
    path("cases/", views.case_list, name="cases-case-list"),
    path("cases/queue/", views.case_queue, name="cases-case-queue"),
    path("cases/queue/failed/", views.triage_failure_list, name="cases-triage-failure-list"),
    path(
        "cases/queue/failed/<int:failure_id>/retry/",
        views.triage_failure_retry,
        name="cases-triage-failure-retry",
    ),
    path("cases/routing/", views.routing_rule_list, name="cases-routing-rule-list"),
    path(
        "cases/routing/<int:rule_id>/active/",
        views.routing_rule_toggle,
        name="cases-routing-rule-toggle",
    ),
    path("cases/<int:case_id>/", views.case_detail, name="cases-case-detail"),
    path("cases/<int:case_id>/triage/", views.case_triage, name="cases-case-triage"),
    path("cases/<int:case_id>/route/", views.case_route, name="cases-case-route"),
    path("cases/<int:case_id>/close/", views.case_close, name="cases-case-close"),
    path("cases/<int:case_id>/hold/", views.case_legal_hold, name="cases-case-legal-hold"),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/accept/",
        views.agency_task_accept,
        name="cases-agency-task-accept",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/reject/",
        views.agency_task_reject,
        name="cases-agency-task-reject",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/transfer/",
        views.agency_task_transfer,
        name="cases-agency-task-transfer",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/done/",
        views.agency_task_done,
        name="cases-agency-task-done",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/sessions/",
        views.counselling_session_add,
        name="cases-counselling-session-add",
    ),
    path(
        "cases/<int:case_id>/tasks/<int:task_id>/outcome/",
        views.counselling_outcome_set,
        name="cases-counselling-outcome-set",
    ),
    path("cases/<int:case_id>/notes/", views.note_add, name="cases-note-add"),
    path("cases/<int:case_id>/todos/", views.case_task_add, name="cases-case-task-add"),
    path(
        "cases/<int:case_id>/todos/<int:case_task_id>/done/",
        views.case_task_done,
        name="cases-case-task-done",
    ),
    path("cases/<int:case_id>/decisions/", views.decision_add, name="cases-decision-add"),
    path("cases/<int:case_id>/assessments/", views.content_assess, name="cases-content-assess"),
    path("cases/<int:case_id>/clocks/", views.clock_start, name="cases-clock-start"),
    path(
        "cases/<int:case_id>/clocks/<int:clock_id>/extend/",
        views.clock_extend,
        name="cases-clock-extend",
    ),
    path(
        "cases/<int:case_id>/clocks/<int:clock_id>/suspend/",
        views.clock_suspend,
        name="cases-clock-suspend",
    ),
    path(
        "cases/<int:case_id>/clocks/<int:clock_id>/resume/",
        views.clock_resume,
        name="cases-clock-resume",
    ),
    path(
        "cases/<int:case_id>/clocks/<int:clock_id>/stop/",
        views.clock_stop,
        name="cases-clock-stop",
    ),
]
