import factory
from django.contrib.auth import get_user_model

from assessments.models import Membership, Organization, Role, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    organization = factory.SelfAttribute("team.organization")
    role = Role.MEMBER


def last_email_asked_for(invitation, *, minutes_ago: float) -> None:
    """Move the invitation's last email back in time, as if it had been asked for then: how the
    resend cooldown is tested without waiting."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Invitation

    when = timezone.now() - timedelta(minutes=minutes_ago)
    Invitation.objects.filter(pk=invitation.pk).update(send_requested_at=when)
    invitation.send_requested_at = when
