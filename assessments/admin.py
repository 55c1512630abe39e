from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from .access import signed_in
from .models import (
    Answer,
    ApiToken,
    Assessment,
    AuditEvent,
    Exemption,
    GroupMappingRule,
    Invitation,
    Membership,
    Organization,
    Repository,
    Result,
    ResultCapability,
    RoadmapStep,
    Scan,
    SsoIdentity,
    Team,
    TeamTag,
)
from .services.memberships import membership_remove


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "organization", "team", "role", "source"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TeamTagInline(admin.TabularInline):
    model = TeamTag
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organization"]
    # Kept by the results service; an editable field would also list every result in a menu.
    readonly_fields = ["latest_result"]
    inlines = [TeamTagInline, MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Team | None = None) -> list[str]:
        # A team stays in the organisation it was created in: moving it would hand its history
        # to another organisation's admins and leave both organisations' monthly counts wrong.
        if obj is not None:
            return [*self.readonly_fields, "organization"]
        return list(self.readonly_fields)

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm,
        formset: BaseInlineFormSet,
        change: bool,
    ) -> None:
        """Members removed here leave through the service, so the audit log records it."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_remove(membership=membership, actor=signed_in(request.user))
        for membership in instances:
            membership.save()
        formset.save_m2m()
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    # `source`: "sso" memberships follow the user's groups at each sign-in; "manual" ones stay.
    list_display = ["user", "role", "organization", "team", "source"]
    list_filter = ["role", "source", "organization"]
    search_fields = ["user__username", "team__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "organization", "team"]

    # Removals go through the service, so the audit log records who removed whom.
    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_remove(membership=obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            membership_remove(membership=membership, actor=signed_in(request.user))


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question_key", "option_key", "note", "version", "updated_by", "updated_at"]
    readonly_fields = ["version", "updated_by", "updated_at"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["id", "team", "status", "catalogue_version", "created_at", "submitted_at"]
    list_filter = ["status", "catalogue_version", "team__organization"]
    search_fields = ["team__name"]
    list_select_related = ["team"]
    raw_id_fields = ["copied_from", "created_by", "submitted_by"]
    inlines = [AnswerInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Assessment | None = None) -> list[str]:
        # Its result keeps copies of both (dashboards read them): a change here would leave
        # the result, the team's history and the monthly counts telling another story.
        if obj is not None:
            return [*self.readonly_fields, "team", "submitted_at"]
        return list(self.readonly_fields)


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "question_key", "option_key", "version", "updated_by"]
    search_fields = ["question_key", "assessment__team__name"]
    list_select_related = ["assessment__team", "updated_by"]
    raw_id_fields = ["assessment", "updated_by"]


class ResultCapabilityInline(admin.TabularInline):
    model = ResultCapability
    extra = 0
    can_delete = False
    readonly_fields = [
        "capability_key",
        "dimension_key",
        "required_level",
        "grade",
        "source",
        "met",
    ]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["assessment", "overall_level", "target_level", "index", "computed_at"]
    list_filter = ["overall_level", "target_level"]
    list_select_related = ["assessment__team"]
    raw_id_fields = ["assessment"]
    inlines = [ResultCapabilityInline]

    # The engine writes results, with copies for dashboards and monthly counts kept in the
    # same transaction: one edited by hand would disagree with all of them. Shown, never
    # changed; deleting one stays possible (the counts follow deletions).
    def get_readonly_fields(self, request: HttpRequest, obj: Result | None = None) -> list[str]:
        return [field.name for field in Result._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ResultCapability)
class ResultCapabilityAdmin(admin.ModelAdmin):
    list_display = ["result", "capability_key", "grade", "source", "met"]
    list_filter = ["met", "source", "dimension_key"]
    raw_id_fields = ["result"]


@admin.register(RoadmapStep)
class RoadmapStepAdmin(admin.ModelAdmin):
    list_display = ["team", "step_id", "status", "position", "first_seen", "done_at"]
    list_filter = ["status", "team__organization"]
    list_select_related = ["team"]
    raw_id_fields = ["opened_in", "done_in"]


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ["url", "branch", "team", "scan_interval_hours", "created_at"]
    list_filter = ["team__organization"]
    search_fields = ["url", "team__name"]
    list_select_related = ["team"]
    # The token is write-only everywhere, the admin included.
    exclude = ["access_token_encrypted"]
    raw_id_fields = ["created_by"]


class _OnlyRead(admin.ModelAdmin):
    """Records the admin shows and never adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Scan)
class ScanAdmin(_OnlyRead):
    # A scan records what the scanner found at a commit; pages keep its findings by scan
    # (selectors/evidence.py), so a stored scan is never changed. Only read here.
    list_display = ["id", "repository", "status", "commit", "attempts", "queued_at", "finished_at"]
    list_filter = ["status", "scanner_version"]
    list_select_related = ["repository__team"]
    raw_id_fields = ["repository"]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["team", "capability_key", "status", "expires_on", "requested_by", "decided_by"]
    list_filter = ["status", "team__organization"]
    list_select_related = ["team", "requested_by", "decided_by"]
    search_fields = ["team__name", "capability_key"]

    # Asked and decided in the app, where the rules are (who, when, until when); only read here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    # Only the hash is stored and it is useless to show; tokens are made on the profile page.
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    exclude = ["key_hash"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_OnlyRead):
    # The log is append-only: written by the services with the change, never edited or removed.
    list_display = ["created_at", "organization", "team", "actor", "action", "object_type"]
    list_filter = ["action", "organization"]
    list_select_related = ["organization", "team", "actor"]
    search_fields = ["actor__username", "team__name", "object_id"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "team", "organization", "created_at", "expires_at"]
    list_filter = ["role", "organization"]
    list_select_related = ["organization", "team"]
    search_fields = ["email", "team__name"]
    # Invited, resent and revoked in the app, where the rules and the email are; only read here.
    exclude = ["token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(GroupMappingRule)
class GroupMappingRuleAdmin(admin.ModelAdmin):
    """Org admins keep these at /organisation/sso/, where changes are audited."""

    list_display = ["group", "role", "organization", "team", "created_at"]
    list_filter = ["organization", "role"]
    search_fields = ["group"]
    list_select_related = ["organization", "team"]
    raw_id_fields = ["created_by"]


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "issuer", "last_login_at"]
    search_fields = ["user__username", "subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_login_at"]
