from django.contrib import admin

from salescope.core.admin import ReadOnlyAdmin
from salescope.expenses.models import Claim, Expense, ExpenseCategory


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "active", "position"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["title", "claimant", "status", "total_fen", "created_at"]
    list_filter = ["status"]


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ["spent_on", "person", "category", "amount_fen", "claim"]
