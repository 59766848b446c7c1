from django.urls import path

from salescope.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("board/", views.board, name="board"),
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/adjust/", views.adjust, name="adjust"),
    path("reports/", views.reports, name="reports"),
    path("stuck/", views.stuck, name="stuck"),
    path("import/", views.import_opportunities, name="import"),
    path("settings/", views.settings, name="settings"),
    path("stages/<int:pk>/", views.configure_stage, name="configure-stage"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/update/", views.update, name="update"),
    path("<int:pk>/checklist/", views.checklist, name="checklist"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/order/", views.order, name="order"),
]
