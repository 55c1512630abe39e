"""Persistence only: tables, constraints and the one tenancy rule every query goes through."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .scanning.forges import forge_file_url


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    # Unique across organisations so that demo and API identifiers stay unambiguous.
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The result of the team's latest submission, kept by the service that writes results, in
    # the same transaction: pages and dashboards join to it instead of searching the history.
    latest_result = models.OneToOneField(
        "Result", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self):
        return self.name


class TeamTag(models.Model):
    """A label such as `unit:payments` or `area:search`, for filtering dashboards."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="team_tag_once")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    LEAD = "lead", "Team lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role: organisation-wide for admins, per team for everyone else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.ORG_ADMIN) & Q(team__isnull=True))
                | (~Q(role=Role.ORG_ADMIN) & Q(team__isnull=False)),
                name="membership_admin_is_org_wide_others_per_team",
            ),
            models.UniqueConstraint(
                fields=["user", "team"],
                condition=Q(team__isnull=False),
                name="membership_one_role_per_team",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(role=Role.ORG_ADMIN),
                name="membership_one_admin_row_per_org",
            ),
        ]

    def __str__(self):
        where = self.team or self.organization
        return f"{self.user} — {self.get_role_display()} of {where}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.team_id and self.team.organization_id != self.organization_id:
            raise ValidationError("The team belongs to another organisation.")


class TeamOwned(models.Model):
    """Base of every object that belongs to a team; query it through `access.visible_to`.

    `team_path` is the lookup from the model to its team, for objects owned through a parent.
    Models only say whose an object is; who may see it is decided in `access.py`.
    """

    team_path = "team"

    class Meta:
        abstract = True


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Assessment(TeamOwned):
    """One team's questionnaire, answered against one catalogue version (kept for ever)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    catalogue_version = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # A reopened assessment is a new draft copied from a submitted one.
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT, submitted_at__isnull=True)
                | Q(status=AssessmentStatus.SUBMITTED, submitted_at__isnull=False),
                name="assessment_submitted_has_a_date",
            ),
            # One draft per team at a time, so the team never splits its answers.
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status="draft"),
                name="assessment_one_draft_per_team",
            ),
        ]

    def __str__(self):
        return f"{self.team} assessment #{self.pk} ({self.status})"

    @property
    def is_draft(self):
        return self.status == AssessmentStatus.DRAFT


def needs_confirmation(prefix: str = "") -> models.Q:
    """Answers carried over from the last submission or suggested by a scan, not confirmed yet:
    the one rule for "needs a look", for a query on answers (or, with ``prefix``, through a
    relation such as ``answers__``)."""
    return models.Q(**{f"{prefix}carried_over_from__isnull": False}) | models.Q(
        **{f"{prefix}suggested_from__isnull": False}
    )


class Answer(TeamOwned):
    """One answer per question; `version` grows with every write for optimistic concurrency."""

    team_path = "assessment__team"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=80)
    option_key = models.CharField(max_length=40)
    note = models.TextField(blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the answer was copied from an earlier submission, that submission's time: the answer
    # needs a look until someone confirms or changes it, which clears this.
    carried_over_from = models.DateTimeField(null=True, blank=True)
    # An answer suggested by repository evidence: {repository, commit, path, line, reason}.
    # Like a carried-over answer it needs a look until someone confirms or changes it.
    suggested_from = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["question_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_key"], name="answer_one_per_question"
            )
        ]

    def __str__(self):
        return f"{self.question_key} = {self.option_key}"

    @property
    def needs_confirmation(self) -> bool:
        return self.carried_over_from is not None or self.suggested_from is not None


class Result(TeamOwned):
    """The engine's output for a submitted assessment: a full snapshot plus headline fields."""

    team_path = "assessment__team"

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    catalogue_version = models.CharField(max_length=40)
    overall_level = models.PositiveSmallIntegerField()
    index = models.FloatField()
    target_level = models.PositiveSmallIntegerField()
    weakest_dimension = models.CharField(max_length=80)
    ml_test_score = models.FloatField()
    # Everything the engine returned (levels, reasons, roadmap, contradictions), JSON-ready.
    snapshot = models.JSONField()
    computed_at = models.DateTimeField()
    # Small copies of snapshot figures, written with the result, so that a dashboard aggregates
    # thousands of latest results without reading their large snapshots or capability rows.
    # {dimension key: level} as the engine decided it.
    dimension_levels = models.JSONField(default=dict)
    # Capability keys the target level needs and the team does not meet (optional ones never).
    target_gaps = models.JSONField(default=list)
    # On the way to the next level: capabilities in place of those required; none at level 2.
    next_level_in_place = models.PositiveSmallIntegerField(null=True, blank=True)
    next_level_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # The assessment's team and submission time, and the target's criticality: trends over a
    # whole organisation's history and its debt read them without joining each assessment or
    # opening each snapshot. Tenancy still goes through the assessment (`team_path`).
    team = models.ForeignKey(
        # The history index below leads with the team: no index of its own.
        Team,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_index=False,
    )
    submitted_at = models.DateTimeField(null=True)
    criticality = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_level__lte=2) & Q(target_level__lte=2),
                name="result_levels_in_range",
            ),
            models.CheckConstraint(
                condition=Q(index__gte=0) & Q(index__lte=100), name="result_index_in_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "submitted_at"],
                include=["index", "overall_level"],
                name="result_team_history",
            )
        ]

    def __str__(self):
        return f"Result of {self.assessment}: level {self.overall_level}"


class ResultCapability(TeamOwned):
    """One row per capability of a result, so dashboards aggregate in the database."""

    team_path = "result__assessment__team"

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="capabilities")
    capability_key = models.CharField(max_length=80)
    dimension_key = models.CharField(max_length=80)
    required_level = models.PositiveSmallIntegerField()
    grade = models.FloatField(null=True)
    source = models.CharField(max_length=20)
    met = models.BooleanField()

    class Meta:
        ordering = ["capability_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "capability_key"], name="result_capability_once_per_result"
            )
        ]
        indexes = [models.Index(fields=["capability_key", "met"])]

    def __str__(self):
        return f"{self.capability_key}: {self.grade}"


class RoadmapStepStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    # Still unmet, but the target level no longer asks for it.
    DROPPED = "dropped", "No longer needed for the target"


class RoadmapStep(TeamOwned):
    """A team's roadmap step across assessments: opened when the gap appears, done when met."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roadmap_steps")
    step_id = models.CharField(max_length=100)
    capability_key = models.CharField(max_length=80)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RoadmapStepStatus.choices)
    first_seen = models.DateTimeField()
    opened_in = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    done_in = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "position"]
        constraints = [
            models.UniqueConstraint(fields=["team", "step_id"], name="roadmap_step_once_per_team")
        ]

    def __str__(self):
        return f"{self.team}: {self.step_id} ({self.status})"


class Repository(TeamOwned):
    """A team's git repository, scanned for evidence. The access token is stored encrypted."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="repositories")
    url = models.CharField(max_length=500)
    branch = models.CharField(max_length=200, blank=True)
    # A project folder of a monorepo, judged on its own; empty for the whole repository.
    project = models.CharField(max_length=300, blank=True)
    # Catalogue dimensions this repository holds (training pipeline, serving...); empty for the
    # whole ML system. Missing evidence only contradicts answers about what it holds.
    holds = models.JSONField(default=list, blank=True)
    # Fernet ciphertexts: the access token is never shown or logged; the webhook secret is
    # shown to the team's leads so they can configure the push hook.
    access_token_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    scan_interval_hours = models.PositiveIntegerField(default=24)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]
        verbose_name_plural = "repositories"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "url", "branch", "project"],
                name="repository_once_per_team_branch_and_project",
            )
        ]

    def __str__(self):
        name = f"{self.url}@{self.branch}" if self.branch else self.url
        return f"{name} ({self.project})" if self.project else name

    @property
    def display_name(self) -> str:
        """How people name it: owner/repo for a forge's address, the folder for a local path,
        with the project folder of a monorepo."""
        path = self.url.split("://", 1)[-1].split("?", 1)[0].rstrip("/")
        if path.endswith(".git"):
            path = path[: -len(".git")]
        parts = [part for part in path.split("/") if part]
        if "://" in self.url and len(parts) >= 3:
            name = "/".join(parts[-2:])
        else:
            name = parts[-1] if parts else self.url
        return f"{name}/{self.project}" if self.project else name

    def file_url(self, commit: str, path: str | None, line: int | None = None) -> str | None:
        """The file at the scanned commit on the forge's web page, when the forge is known.

        Paths of a project folder's scan read from the folder, except the root CI files that
        name it (see scanning.projects)."""
        return forge_file_url(self.url, commit, path, line, project=self.project)


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # The commit was already scanned by this scanner version; that scan's result stands.
    UNCHANGED = "unchanged", "Unchanged"
    FAILED = "failed", "Failed"


class Scan(TeamOwned):
    """One scan of a repository; this row, not the broker, is the source of truth."""

    team_path = "repository__team"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    commit = models.CharField(max_length=64, blank=True)
    scanner_version = models.CharField(max_length=20, blank=True)
    trigger = models.CharField(max_length=20, default="manual")
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    # The scan CLI's JSON report, and the findings the maturity engine reads as evidence.
    report = models.JSONField(null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    same_as = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["repository", "status", "-finished_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "commit", "scanner_version"],
                condition=Q(status="succeeded"),
                name="scan_one_result_per_commit_and_scanner",
            )
        ]

    def __str__(self):
        return f"Scan #{self.pk} of {self.repository} ({self.status})"

    @property
    def is_final(self):
        return self.status in {ScanStatus.SUCCEEDED, ScanStatus.UNCHANGED, ScanStatus.FAILED}


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a user can tell tokens apart without the secret.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_active(self):
        return self.revoked_at is None


class ExemptionStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Exemption(TeamOwned):
    """A team's request to be exempted from a capability until a date, and its decision.

    Whether an approved exemption is still in force is read from `expires_on` against today's
    date when it is used, so expiry needs no job and no status change. The team's stored
    results never change: an exemption only adds a second reading beside them.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="exemptions")
    capability_key = models.CharField(max_length=80)
    reason = models.TextField(max_length=2000)
    # The last day the exemption is in force.
    expires_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ExemptionStatus.choices, default=ExemptionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    # Who approved, rejected or withdrew it, and when; empty while it waits for a decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["team", "status", "expires_on"], name="exemption_team_status_expiry"
            )
        ]
        constraints = [
            # One request at a time per capability: a second would split the review.
            models.UniqueConstraint(
                fields=["team", "capability_key"],
                condition=Q(status="requested"),
                name="exemption_one_open_request_per_capability",
            ),
            models.CheckConstraint(
                condition=Q(status="requested", decided_at__isnull=True)
                | (~Q(status="requested") & Q(decided_at__isnull=False)),
                name="exemption_decided_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected", "withdrawn"]),
                name="exemption_status_known",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="exemption_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.team}: {self.capability_key} until {self.expires_on} ({self.status})"

    def is_active_on(self, day) -> bool:
        """Approved and not expired on `day`: the one rule for "in force"."""
        return self.status == ExemptionStatus.APPROVED and self.expires_on >= day
