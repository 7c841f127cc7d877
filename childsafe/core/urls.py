from django.urls import path

from childsafe.core import views

urlpatterns = [
    path("", views.home, name="core-home"),
    path("dashboard/", views.dashboard, name="core-dashboard"),
]
