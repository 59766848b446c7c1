from django.urls import path

from salescope.commissions import views

app_name = "commissions"

urlpatterns = [
    path("", views.index, name="index"),
    path("compute/", views.compute, name="compute"),
    path("export/", views.export, name="export"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement-approve"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("plans/<int:pk>/assign/", views.plan_assign, name="plan-assign"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment-delete"),
]
