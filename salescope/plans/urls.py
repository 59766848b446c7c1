from django.urls import path

from salescope.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/total/", views.set_total, name="set-total"),
    path("<int:pk>/acknowledgements/", views.acknowledgements, name="acknowledgements"),
    path("<int:pk>/unassigned/", views.unassigned, name="unassigned"),
    path("<int:pk>/steps/", views.steps, name="steps"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/import/", views.import_file, name="import"),
    path("targets/<int:pk>/", views.grid, name="grid"),
    path("targets/<int:pk>/decompose/", views.decompose, name="decompose"),
    path("targets/<int:pk>/bottom-up/", views.bottom_up, name="bottom-up"),
    path("targets/<int:pk>/comments/", views.comments, name="comments"),
    path("acknowledgements/<int:pk>/", views.acknowledgement, name="acknowledgement"),
    path("steps/<int:pk>/status/", views.step_status, name="step-status"),
]
