from django.urls import path

from salescope.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("pool/", views.pool, name="pool"),
    path("nurture/", views.nurture, name="nurture"),
    path("overdue/", views.overdue, name="overdue"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("report/", views.report, name="report"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/rules/", views.new_rule, name="rule-new"),
    path("settings/models/", views.new_model, name="model-new"),
    path("import/", views.import_leads, name="import"),
]
