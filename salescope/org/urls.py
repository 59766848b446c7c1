from django.urls import path

from salescope.org import views

app_name = "org"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("me/", views.my_organization, name="me"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("people/", views.people, name="people"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/move/", views.person_move, name="person-move"),
    path("territories/", views.territories, name="territories"),
    path("territories/<int:territory_id>/", views.territory, name="territory"),
    path("import/", views.import_page, name="import"),
    path("shares/", views.share_create, name="share-create"),
    path("shares/<int:share_id>/revoke/", views.share_revoke, name="share-revoke"),
]
