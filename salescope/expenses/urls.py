from django.urls import path

from salescope.expenses import views

app_name = "expenses"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/new/", views.record_new, name="record-new"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/receipts/", views.add_receipt, name="add-receipt"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/<str:step>/", views.claim_step, name="claim-step"),
    path("approvals/", views.approvals, name="approvals"),
    path("budget/", views.budget, name="budget"),
    path("categories/", views.categories, name="categories"),
]
