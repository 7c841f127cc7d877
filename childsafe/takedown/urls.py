"""Pages of the takedown app: orders for ICT officers, the provider portal, the
provider register."""

from __future__ import annotations

from django.urls import path

from childsafe.takedown import views

urlpatterns = [
    path("takedown/orders/", views.order_list, name="takedown-order-list"),
    path("takedown/orders/new/", views.order_create, name="takedown-order-create"),
    path("takedown/orders/<int:order_id>/", views.order_detail, name="takedown-order-detail"),
    path(
        "takedown/orders/<int:order_id>/approve/",
        views.order_approve,
        name="takedown-order-approve",
    ),
    path(
        "takedown/orders/<int:order_id>/reject/",
        views.order_reject,
        name="takedown-order-reject",
    ),
    path(
        "takedown/orders/<int:order_id>/withdraw/",
        views.order_withdraw,
        name="takedown-order-withdraw",
    ),
    path("takedown/providers/", views.provider_list, name="takedown-provider-list"),
    path(
        "takedown/providers/<int:provider_id>/",
        views.provider_detail,
        name="takedown-provider-detail",
    ),
    path(
        "takedown/providers/<int:provider_id>/scopes/",
        views.provider_scope_add,
        name="takedown-scope-add",
    ),
    path(
        "takedown/providers/<int:provider_id>/scopes/<int:scope_id>/delete/",
        views.provider_scope_delete,
        name="takedown-scope-delete",
    ),
    path("provider/orders/", views.portal_order_list, name="takedown-portal-order-list"),
    path(
        "provider/orders/<int:order_id>/",
        views.portal_order_detail,
        name="takedown-portal-order-detail",
    ),
    path(
        "provider/orders/<int:order_id>/ack/",
        views.portal_order_ack,
        name="takedown-portal-order-ack",
    ),
    path(
        "provider/orders/<int:order_id>/done/",
        views.portal_order_done,
        name="takedown-portal-order-done",
    ),
    path(
        "provider/orders/<int:order_id>/refuse/",
        views.portal_order_refuse,
        name="takedown-portal-order-refuse",
    ),
]
