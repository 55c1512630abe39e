from django.urls import path

from .views import (
    audit,
    badges,
    campaigns,
    custom_checks,
    exemptions,
    forges,
    invitations,
    kits,
    methodology,
    organizations,
    questionnaire,
    repositories,
    results,
    sso,
    teams,
)

urlpatterns = [
    path("", teams.home, name="home"),
    path("health/", teams.health, name="health"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("teams/<slug:slug>/", teams.team_detail, name="team_detail"),
    path("teams/<slug:slug>/history/", results.team_history, name="team_history"),
    path("teams/<slug:slug>/badge/", badges.team_badge, name="team_badge"),
    path("badges/<str:token>.svg", badges.badge_image, name="badge_image"),
    path(
        "teams/<slug:slug>/assessments/start/",
        questionnaire.assessment_start_view,
        name="assessment_start",
    ),
    path(
        "teams/<slug:slug>/repositories/connect/",
        repositories.repository_connect_view,
        name="repository_connect",
    ),
    path(
        "teams/<slug:slug>/exemptions/request/",
        exemptions.exemption_request_view,
        name="exemption_request",
    ),
    path(
        "teams/<slug:slug>/invitations/",
        invitations.team_invitations,
        name="team_invitations",
    ),
    path("invitations/", invitations.organization_invitations, name="organization_invitations"),
    path(
        "invitations/<int:pk>/resend/",
        invitations.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "invitations/<str:token>/",
        invitations.invitation_accept_view,
        name="invitation_accept",
    ),
    path("audit/", audit.audit_list, name="audit_list"),
    path("campaigns/", campaigns.campaign_list_view, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail_view, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit_view, name="campaign_edit"),
    path("campaigns/<int:pk>/archive/", campaigns.campaign_archive_view, name="campaign_archive"),
    path("forges/", forges.forge_list, name="forge_list"),
    path("forges/<int:pk>/", forges.forge_detail, name="forge_detail"),
    path("imports/<int:pk>/", forges.import_detail, name="import_detail"),
    path("imports/<int:pk>/run/", forges.import_run, name="import_run"),
    path("organisation/sso/", sso.sso_rules, name="sso_rules"),
    path("organisation/checks/", custom_checks.organization_checks, name="organization_checks"),
    path(
        "organisation/checks/v<int:number>.yaml",
        custom_checks.organization_checks_download,
        name="organization_checks_download",
    ),
    path(
        "organisation/settings/",
        organizations.organization_settings,
        name="organization_settings",
    ),
    path("organisation/sso/<int:pk>/delete/", sso.sso_rule_delete, name="sso_rule_delete"),
    path("exemptions/", exemptions.exemption_list_view, name="exemption_list"),
    path("exemptions/<int:pk>/decide/", exemptions.exemption_decide_view, name="exemption_decide"),
    path(
        "exemptions/<int:pk>/withdraw/",
        exemptions.exemption_withdraw_view,
        name="exemption_withdraw",
    ),
    path("repositories/<int:pk>/", repositories.repository_detail, name="repository_detail"),
    path(
        "repositories/<int:pk>/kits/<slug:capability>/",
        kits.repository_kit,
        name="repository_kit",
    ),
    path("repositories/<int:pk>/scan/", repositories.repository_scan_now, name="repository_scan"),
    path(
        "repositories/<int:pk>/holds/", repositories.repository_holds_view, name="repository_holds"
    ),
    path(
        "hooks/<str:provider>/<int:pk>/",
        repositories.webhook,
        name="webhook",
    ),
    path(
        "webhooks/forges/<int:pk>/<str:provider>/",
        repositories.forge_webhook,
        name="forge_webhook",
    ),
    path("forges/<int:pk>/webhook/", forges.forge_webhook_secret, name="forge_webhook_secret"),
    path("assessments/<int:pk>/", questionnaire.assessment_open, name="assessment_open"),
    path(
        "assessments/<int:pk>/questions/<slug:section>/",
        questionnaire.questionnaire_section,
        name="questionnaire_section",
    ),
    path(
        "assessments/<int:pk>/answers/<slug:question_key>/",
        questionnaire.answer_autosave,
        name="answer_autosave",
    ),
    path(
        "assessments/<int:pk>/check-answers/<slug:check_key>/",
        questionnaire.check_answer_autosave,
        name="check_answer_autosave",
    ),
    path(
        "assessments/<int:pk>/summary/", questionnaire.assessment_summary, name="assessment_summary"
    ),
    path("assessments/<int:pk>/result/", results.assessment_result, name="assessment_result"),
    path(
        "assessments/<int:pk>/reopen/",
        questionnaire.assessment_reopen_view,
        name="assessment_reopen",
    ),
]
