from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpensesConfig(AppConfig):
    name = "salescope.expenses"
    label = "expenses"
    verbose_name = _("Expenses")

    def ready(self) -> None:
        from salescope.expenses import audit_words

        audit_words.register()
