from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "salescope.plans"
    label = "plans"
    verbose_name = _("Plans and targets")

    def ready(self) -> None:
        from salescope.expenses.budgets import install_budget_reader
        from salescope.plans.expense_budget import expense_budget_cells

        install_budget_reader(expense_budget_cells)
