"""Page forms of the organisation: they parse input; the services decide and validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from salescope.core.forms import DateInput, StyledForm
from salescope.org import directory
from salescope.org.choices import Role, ShareAccess, TerritoryKind, UnitKind
from salescope.org.models import OrgUnit, User


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'— ' * (obj.depth - 1)}{obj.name} ({obj.code})"


def _units() -> UnitChoiceField:
    return UnitChoiceField(queryset=directory.units(), required=False)


def _people() -> PersonChoiceField:
    return PersonChoiceField(
        queryset=directory.active_people(),
        required=False,
    )


class UnitCreateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices, initial=UnitKind.TEAM)
    parent = _units()
    manager = _people()

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["parent"].label = _("Part of")
        self.fields["parent"].required = True
        self.fields["manager"].label = _("Manager")


class UnitEditForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = _units()
    manager = _people()
    manager_effective_on = forms.DateField(
        label=_("New manager from"), required=False, widget=DateInput
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["parent"].label = _("Part of")
        self.fields["manager"].label = _("Manager")


class PersonCreateForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALESPERSON)
    extra_roles = forms.MultipleChoiceField(
        label=_("Further roles"), choices=Role.choices, required=False
    )
    unit = _units()
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=directory.positions(), required=False
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    duties = forms.CharField(label=_("Personal duties"), widget=forms.Textarea, required=False)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("Unit")


class PersonEditForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    extra_roles = forms.MultipleChoiceField(
        label=_("Further roles"), choices=Role.choices, required=False
    )
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=directory.positions(), required=False
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    duties = forms.CharField(label=_("Personal duties"), widget=forms.Textarea, required=False)


class MoveForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    unit = _units()
    effective_on = forms.DateField(label=_("Effective from"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("New unit")
        self.fields["unit"].required = True


class TerritoryForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TerritoryKind.choices)
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=directory.territories(), required=False
    )
    unit = _units()
    owner = _people()

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("Unit")
        self.fields["owner"].label = _("Responsible person")


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Spreadsheet (CSV or XLSX)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run: nothing is saved)"), required=False)


class ShareForm(StyledForm):
    record_type = forms.CharField(widget=forms.HiddenInput)
    record_id = forms.IntegerField(widget=forms.HiddenInput)
    grantee = _people()
    grantee_unit = _units()
    access = forms.ChoiceField(label=_("Access"), choices=ShareAccess.choices)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["grantee"].label = _("Person")
        self.fields["grantee_unit"].label = _("or unit")
