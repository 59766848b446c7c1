"""Page forms of the customer pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.customers import queries
from salescope.customers.choices import CustomerKind, Tier
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


class _Styled(forms.Form):
    """Bootstrap classes on every widget (no inline styles: the CSP forbids them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


class CustomerForm(_Styled):
    """A customer's own fields. The owner is offered to those who may assign one (managers);
    credit limit and payment terms only to those who may set them (on creation; afterwards
    through :class:`CreditTermsForm`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", "—"), *Tier.choices], required=False)
    owner = PersonChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=CHOOSE
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    sales_area = forms.CharField(label=_("Sales area"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    tax_number = forms.CharField(label=_("Tax number"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), min_value=0, decimal_places=2, required=False
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=3650, required=False
    )

    def __init__(
        self, *args: Any, viewer: User, may_assign: bool, may_set_credit: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if may_assign:
            self.fields["owner"].queryset = queries.handover_targets(viewer=viewer)
        else:
            del self.fields["owner"]
        if not may_set_credit:
            del self.fields["credit_limit"]
            del self.fields["payment_terms_days"]
        self.fields["territory"].queryset = queries.territory_choices(viewer=viewer)


class CreditTermsForm(_Styled):
    version = forms.IntegerField(widget=forms.HiddenInput)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no limit."),
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=3650
    )


class ContactForm(_Styled):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class DeactivateForm(_Styled):
    """Who takes over a leaving person's book, and why (the reason is kept in the history)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    to_user = PersonChoiceField(
        label=_("Hand over to"), queryset=User.objects.none(), required=False, empty_label=CHOOSE
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, viewer: User, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = queries.handover_targets(viewer=viewer).exclude(pk=person.pk)
        self.fields["to_user"].queryset = targets
