"""Page forms of the customer pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.customers import queries
from salescope.org.models import User

CHOOSE = _("— Choose —")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        if obj.is_active:
            return str(obj)
        return f"{obj} ({_('inactive')})"


class HandoverForm(forms.Form):
    """Whose book moves to whom, and why (F2). Nothing is pre-selected; the new owner is one of
    ``queries.handover_targets`` and not the current owner; the reason is required (audited)."""

    from_user = PersonChoiceField(
        label=_("Current owner"), queryset=User.objects.none(), empty_label=CHOOSE
    )
    to_user = PersonChoiceField(
        label=_("New owner"), queryset=User.objects.none(), empty_label=CHOOSE
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = queries.people_for_handover(viewer=viewer)
        self.fields["to_user"].queryset = queries.handover_targets(viewer=viewer)
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm" if name != "reason" else "form-control form-control-sm"
            )
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        from_user, to_user = data.get("from_user"), data.get("to_user")
        if from_user and to_user and from_user.pk == to_user.pk:
            self.add_error("to_user", _("Choose another person."))
        return data
