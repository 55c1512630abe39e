"""The header's links, reversed once per URL configuration and script prefix."""

from django.urls import reverse, set_script_prefix

from assessments.site_links import assessment_address, site_links

urlpatterns: list = []  # a URL configuration with none of the site's pages


def test_a_signed_in_page_links_to_every_part_of_the_site(client, member):
    client.force_login(member)
    body = client.get(reverse("home")).content.decode()

    for name in ("home", "campaign_list", "dashboard", "profile", "password_change"):
        assert f'href="{reverse(name)}"' in body
    assert f'action="{reverse("logout")}"' in body


def test_links_follow_the_script_prefix_and_the_url_configuration(rf, settings):
    profile = reverse("profile")
    try:
        set_script_prefix("/maturity/")
        prefixed = site_links(rf.get("/"))["site_links"]
    finally:
        set_script_prefix("/")
    ours = site_links(rf.get("/"))["site_links"]
    settings.ROOT_URLCONF = __name__
    other = site_links(rf.get("/"))["site_links"]

    assert prefixed["profile"] == "/maturity" + profile
    assert ours["profile"] == profile
    assert other == dict.fromkeys(ours, "")


def test_an_assessments_address_is_the_one_reverse_gives(settings):
    for assessment_id in (1, 7, 2**31 - 1, 10**12):
        assert assessment_address("assessment_summary", assessment_id) == reverse(
            "assessment_summary", args=[assessment_id]
        )
        assert assessment_address("questionnaire_section", assessment_id, "data") == reverse(
            "questionnaire_section", args=[assessment_id, "data"]
        )
