"""Pages of the takedown figures: time to acknowledge and to removal, per provider and
month, with charts and exports."""

from __future__ import annotations

from django.urls import path

from childsafe.takedown import views_figures

urlpatterns = [
    path("takedown/figures/", views_figures.figures_page, name="takedown-figures"),
    path("takedown/figures.csv", views_figures.figures_csv, name="takedown-figures-csv"),
    path("takedown/figures.xlsx", views_figures.figures_xlsx, name="takedown-figures-xlsx"),
]
