"""factory-boy factories for the registry, kept beside the tests that use them."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from keepitlocal.accounts.models import Role, User
from keepitlocal.network.models import (
    Champion,
    CommunityConversation,
    Council,
    Endorsement,
    Membership,
    Organisation,
    PrincipleSet,
)


class CouncilFactory(DjangoModelFactory[Council]):
    class Meta:
        model = Council
        django_get_or_create = ("gss_code",)

    gss_code = factory.Sequence(lambda n: f"E06{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Testshire {n}")
    council_type = "unitary"
    region_code = "E12000003"
    region_name = "Yorkshire and The Humber"
    nation = "England"


class PrincipleSetFactory(DjangoModelFactory[PrincipleSet]):
    class Meta:
        model = PrincipleSet
        django_get_or_create = ("version",)

    version = "test"
    published_on = date(2020, 3, 3)
    is_current = True


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    council = factory.SubFactory(CouncilFactory)
    joined_on = date(2024, 4, 1)


class EndorsementFactory(DjangoModelFactory[Endorsement]):
    class Meta:
        model = Endorsement

    membership = factory.SubFactory(MembershipFactory)
    is_draft = False
    mechanism = Endorsement.Mechanism.CABINET_DECISION
    endorsed_on = date(2024, 5, 1)
    principle_set = factory.SubFactory(PrincipleSetFactory)


class ChampionFactory(DjangoModelFactory[Champion]):
    class Meta:
        model = Champion

    membership = factory.SubFactory(MembershipFactory)
    role = Champion.Role.CABINET
    name = factory.Faker("name", locale="en_GB")
    role_title = "Cabinet member for communities"
    email = factory.Sequence(lambda n: f"champion{n}@council.example")
    started_on = date(2024, 6, 1)


class ConversationFactory(DjangoModelFactory[CommunityConversation]):
    class Meta:
        model = CommunityConversation

    membership = factory.SubFactory(MembershipFactory)
    held_on = date(2024, 9, 1)
    residents = 25
    agreed = "To commission local by default"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community organisation {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("correct-horse-battery")


class RoleFactory(DjangoModelFactory[Role]):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.COUNCIL_VIEWER
