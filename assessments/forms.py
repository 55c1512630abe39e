from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import User
from django.http import QueryDict
from django.utils.formats import date_format

from . import sso
from .maturity import load_catalogue
from .maturity.custom_checks import MAX_TEXT_BYTES
from .models import AuditAction, HeadlineLens, Organization, Role, Team
from .services.exemptions import TEXT_MAX_LENGTH, exemption_latest_expiry
from .services.login_guard import LOCKOUT_SECONDS, login_is_locked_out
from .services.repositories import MAX_INTERVAL_HOURS, MIN_INTERVAL_HOURS

# Bootstrap's class for each kind of control, most specific first: check boxes and radio
# buttons (CheckboxSelectMultiple is a RadioSelect), menus, then every text-like input.
_CONTROL_CLASSES = (
    (forms.RadioSelect, "form-check-input"),
    (forms.CheckboxInput, "form-check-input"),
    (forms.Select, "form-select"),
    (forms.Widget, "form-control"),
)


CHECK_SET_MAX_BYTES = MAX_TEXT_BYTES


class StyledControls:
    """Gives every field's control the base stylesheet's class, so forms look alike everywhere."""

    # Set by the form class this is mixed into (Django's BaseForm).
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css_class = next(c for kind, c in _CONTROL_CLASSES if isinstance(field.widget, kind))
            classes = field.widget.attrs.get("class", "").split()
            if css_class not in classes:
                field.widget.attrs["class"] = " ".join([*classes, css_class])

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The field `name`, declared on the form as a menu, whose choices depend on the user."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"The form's field {name!r} is not a ChoiceField.")
        return field


def _dimension_choices() -> list[tuple[str, str]]:
    return [(d.key, d.title) for d in load_catalogue().dimensions]


HOLDS_HELP = (
    "Tick the parts of the ML system whose code lives here; leave all unticked when it holds "
    "the whole system. Answers about other parts are never contradicted by this repository."
)


class RepositoryHoldsForm(StyledControls, forms.Form):
    holds = forms.MultipleChoiceField(
        label="This repository holds",
        choices=_dimension_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=HOLDS_HELP,
    )


class RepositoryConnectForm(StyledControls, forms.Form):
    url = forms.CharField(
        label="Repository URL",
        max_length=500,
        help_text="An https:// address, e.g. https://github.com/your-org/your-repo.git",
    )
    branch = forms.CharField(
        label="Branch", max_length=200, required=False, help_text="Leave empty for the default."
    )
    project = forms.CharField(
        label="Project folder (monorepos)",
        max_length=300,
        required=False,
        help_text="A folder such as projects/churn, judged on its own; empty for the whole "
        "repository.",
    )
    # Write-only: never rendered back into the page.
    access_token = forms.CharField(
        label="Access token (private repositories)",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Read-only token; stored encrypted and never shown again.",
    )
    holds = forms.MultipleChoiceField(
        label="This repository holds",
        choices=_dimension_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=HOLDS_HELP,
    )
    scan_interval_hours = forms.IntegerField(
        label="Rescan every (hours)",
        min_value=MIN_INTERVAL_HOURS,
        max_value=MAX_INTERVAL_HOURS,
        initial=24,
    )


def _capability_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    catalogue = load_catalogue()
    return [
        (d.title, [(c.key, c.title) for c in catalogue.capabilities_in(d.key)])
        for d in catalogue.dimensions
    ]


# A quarter: teams assess themselves about that often, so the next assessment meets it again.
SUGGESTED_EXEMPTION = timedelta(days=92)


class ExemptionRequestForm(StyledControls, forms.Form):
    capability = forms.ChoiceField(label="Capability", choices=_capability_choices)
    reason = forms.CharField(
        label="Why it does not apply to the team",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The org admins decide on this: say what makes the capability not apply now, "
        "and what would change that.",
        error_messages={
            "required": "Give a reason: say why the capability does not apply to the team for now."
        },
    )
    expires_on = forms.DateField(
        label="In force until",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Give the expiry date as a date, such as 2026-09-30."},
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = exemption_latest_expiry(today=today)
        field = self.fields["expires_on"]
        field.widget.attrs.update(
            min=(today + timedelta(days=1)).isoformat(), max=latest.isoformat()
        )
        field.help_text = (
            "The last day the exemption is in force: after today, and no later than "
            f"{date_format(latest, 'j M Y')} (a year)."
        )


class ExemptionDecisionForm(StyledControls, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(
        label="Note to the team",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject: say why.",
    )


class LoginForm(StyledControls, AuthenticationForm):
    """Django's login form, saying so when the username is locked out after repeated failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not sso.local_passwords_enabled():
            raise forms.ValidationError(
                f"Password log-in is turned off here: sign in with {sso.provider_name()}.",
                code="passwords_off",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username and login_is_locked_out(username=username):
                minutes = LOCKOUT_SECONDS // 60
                raise forms.ValidationError(
                    f"Too many failed attempts for this username; try again in {minutes} minutes.",
                    code="locked_out",
                ) from None
            raise


class StyledPasswordChangeForm(StyledControls, PasswordChangeForm):
    """Django's password change form with the app's controls."""


class AuditFilterForm(StyledControls, forms.Form):
    """The audit log's filters; `teams` are the teams of the organisations the user
    administers."""

    team = forms.ChoiceField(required=False, label="Team")
    action = forms.ChoiceField(required=False, label="Change")

    def __init__(self, *args: Any, teams: Iterable[Team] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("team").choices = [("", "Every team"), *((t.slug, t.name) for t in teams)]
        self.choice_field("action").choices = [("", "Every change"), *AuditAction.choices]


def criticality_choices() -> list[tuple[str, str]]:
    """The business criticalities a team can answer, as (key, label)."""
    question = load_catalogue().question("business_criticality")
    return [(option.key, option.label) for option in question.options]


class CampaignForm(StyledControls, forms.Form):
    """What an org admin sets for a campaign; the service checks it against the catalogue."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What the teams read on their home page, e.g. "
        "“Data validation in every pipeline”.",
        error_messages={"required": "Give the campaign a title: the teams read it."},
    )
    goal_kind = forms.ChoiceField(
        label="Goal",
        choices=[
            ("level", "Reach a level"),
            ("capability", "Meet a capability"),
            ("assessed_since", "Submit an assessment after the start"),
        ],
        help_text="Level and capability goals read each team's latest result.",
    )
    goal_level = forms.TypedChoiceField(
        label="Level to reach (level goals)",
        choices=[(1, "Level 1"), (2, "Level 2")],
        coerce=int,
        required=False,
        initial=1,
    )
    goal_capability = forms.ChoiceField(
        label="Capability to meet (capability goals)",
        choices=lambda: [("", "—"), *_capability_choices()],
        required=False,
        help_text="A team with an approved exemption from it counts as exempt.",
    )
    scope_tags = forms.CharField(
        label="Teams with any of these tags",
        required=False,
        max_length=1300,
        help_text="Comma-separated, e.g. unit:payments, unit:search; empty for every team.",
    )
    scope_criticalities = forms.MultipleChoiceField(
        label="Teams of these business criticalities",
        choices=criticality_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="As each team last answered; none ticked for every criticality.",
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, help_text="Whom teams ask.")
    starts_on = forms.DateField(
        label="Starts on",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Give the start as a date, such as 2026-07-01."},
    )
    deadline = forms.DateField(
        label="Deadline",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="The last day to reach the goal; teams not done the day after are late.",
        error_messages={"invalid": "Give the deadline as a date, such as 2026-09-30."},
    )

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("owner").choices = [(user.pk, user.get_username()) for user in people]

    def clean_scope_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["scope_tags"].split(",") if tag.strip()]


class InvitationForm(StyledControls, forms.Form):
    """Invite someone to a team; `roles` are the roles the inviter may give (access.py)."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=())

    def __init__(self, *args: Any, roles: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("role").choices = [(r, Role(r).label) for r in roles]
        self.fields["role"].initial = Role.MEMBER if Role.MEMBER in roles else None
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class OrganizationInvitationForm(StyledControls, forms.Form):
    """Invite an organisation admin, to one of the organisations the inviter administers."""

    email = forms.EmailField(label="Email address", max_length=254)
    organization = forms.ChoiceField(label="Organisation", choices=())

    def __init__(
        self, *args: Any, organizations: Iterable[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class InvitationSignupForm(StyledControls, forms.Form):
    """A new account for an invited address; the service checks the username and password."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only; what you log in with.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return cleaned


class ForgeConnectForm(StyledControls, forms.Form):
    organization = forms.TypedChoiceField(label="Organisation", coerce=int)
    kind = forms.ChoiceField(
        label="Forge",
        choices=[("github", "GitHub organisation"), ("gitlab", "GitLab group")],
    )
    owner = forms.CharField(
        label="Organisation or group",
        max_length=255,
        help_text="The GitHub organisation (acme) or the GitLab group's path (acme/ml) or id.",
    )
    api_url = forms.CharField(
        label="API address",
        max_length=500,
        required=False,
        help_text="Leave empty for github.com or gitlab.com; for a self-hosted forge, e.g. "
        "https://git.example.com/api/v4 or https://github.example.com/api/v3.",
    )
    # Write-only: never rendered back into the page.
    token = forms.CharField(
        label="Access token",
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Read-only token that can list the repositories (and clone the private "
        "ones); stored encrypted and never shown again.",
    )

    def __init__(
        self, *args: Any, organizations: Sequence[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
            self.fields["organization"].widget = forms.HiddenInput()


class ForgePreviewForm(StyledControls, forms.Form):
    rules = forms.CharField(
        label="Mapping rules",
        required=False,
        max_length=20000,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "spellcheck": "false",
                "aria-describedby": "id_rules-help",
                "placeholder": "topic:fraud = fraud-detection\nname:search-* = search",
            }
        ),
        help_text="One a line, KIND:PATTERN = team-slug; kinds: repo (one repository by its "
        "full name, wins over the others), topic, name (a glob such as fraud-*), regex, and "
        "owners (@org/forge-team, for a CODEOWNERS team whose slug is not the team's). "
        "CODEOWNERS comes next, then the first matching rule; repositories nothing maps are "
        "left out.",
    )
    read_codeowners = forms.BooleanField(
        label="Map by CODEOWNERS teams",
        required=False,
        initial=True,
        help_text="The team @org/team-slug that a repository's CODEOWNERS names for * maps it "
        "to the team with that slug (up to three API calls per repository).",
    )
    include_archived = forms.BooleanField(label="Include archived repositories", required=False)
    include_forks = forms.BooleanField(label="Include forks", required=False)


class GroupMappingRuleForm(StyledControls, forms.Form):
    """A single sign-on group rule; `organizations` are the ones the user administers."""

    organization = forms.ChoiceField(label="Organisation")
    group = forms.CharField(
        label="Group",
        max_length=200,
        help_text="The group's name exactly as the provider sends it in the groups claim.",
    )
    team = forms.ChoiceField(
        label="Team",
        required=False,
        help_text="Leave empty for org admins, who hold their role across the organisation.",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[Organization] = (),
        teams: Iterable[Team] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        several = len({o.pk for o in organizations}) > 1
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        if not several and organizations:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].slug
        self.choice_field("team").choices = [
            ("", "No team: across the organisation"),
            *((t.slug, f"{t.name} ({t.organization.name})" if several else t.name) for t in teams),
        ]


class CheckSetImportForm(StyledControls, forms.Form):
    """An organisation's check set as YAML: pasted, or a file uploaded (the file wins)."""

    yaml_text = forms.CharField(
        label="Check set (YAML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "check-set-yaml"}),
        help_text="Paste the whole set: it replaces the current version.",
    )
    yaml_file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="A .yaml file from your repository, at most 100 kB.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("yaml_file")
        if upload is not None:
            if upload.size > CHECK_SET_MAX_BYTES:
                raise forms.ValidationError("The file is larger than 100 kB; split or shorten it.")
            try:
                data["yaml_text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "The file is not UTF-8 text; upload the YAML file itself."
                ) from None
            # Shown back in the text box, so an error can be fixed there.
            # Bound from request.POST: a QueryDict, whose copy can be changed.
            shown = cast(QueryDict, self.data).copy()
            shown["yaml_text"] = data["yaml_text"]
            self.data = shown
        if not data.get("yaml_text", "").strip():
            raise forms.ValidationError("Paste the check set's YAML or choose a file to upload.")
        return data


class HeadlineLensForm(StyledControls, forms.Form):
    """The organisation's headline model; `organizations` are the ones the user administers."""

    organization = forms.ChoiceField(label="Organisation")
    headline_lens = forms.ChoiceField(
        label="Headline model",
        choices=HeadlineLens.choices,
        widget=forms.RadioSelect,
        help_text="The levels the home page, the dashboards and each result lead with. The "
        "other model's level is shown beside it; both are read from the same answers.",
    )

    def __init__(
        self, *args: Any, organizations: Sequence[Organization] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("organization").choices = [(o.slug, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].slug
            self.fields["headline_lens"].initial = organizations[0].headline_lens
