"""The directory: Open Referral UK's organisations, services, locations, addresses and categories, kept with the
profile's own UUIDs and text so that a feed reads back as it came; and community assets, this platform's extension.
Each organisation is listed under a council's area and linked, by org-id, to the network's organisation record."""

from __future__ import annotations

import uuid
from enum import StrEnum

from django.db import models

from keepitlocal.network.models import Council, ImportRecord, Organisation


class AssetType(StrEnum):
    BUILDING = "building"
    LAND = "land"
    SPACE = "space"

    @property
    def label(self) -> str:
        return {"building": "Building", "land": "Land", "space": "Space in a building"}[self.value]


class Tenure(StrEnum):
    FREEHOLD = "freehold"
    LEASEHOLD = "leasehold"
    LICENCE = "licence"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"freehold": "Freehold", "leasehold": "Leasehold", "licence": "Licence to occupy", "other": "Other"}[self.value]


class DirectoryImport(ImportRecord):
    """One ORUK feed read into a council's directory: what it changed, or the rows that stopped it."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="directory_imports")

    class Meta(ImportRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.source} into {self.council}"


class DirectoryOrganisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="directory_organisations")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_entries"
    )
    name = models.CharField(max_length=300)
    description = models.TextField()
    email = models.CharField(max_length=254, blank=True)
    website = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    parent_organization_id = models.CharField(max_length=36, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def org_id(self) -> str:
        """Its org-id, from the first identifier with a scheme ('GB-CHC' and '1100002' make 'GB-CHC-1100002')."""
        for identifier in self.identifiers.all():
            if identifier.identifier_scheme and identifier.identifier:
                return f"{identifier.identifier_scheme}-{identifier.identifier}".upper()
        return ""


class OrganisationIdentifier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organisation = models.ForeignKey(DirectoryOrganisation, on_delete=models.CASCADE, related_name="identifiers")
    identifier_scheme = models.CharField(max_length=40, blank=True)
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.identifier_scheme} {self.identifier}".strip()


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
    description = models.TextField()
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
    description = models.TextField()
    parent_id = models.CharField(max_length=36, blank=True)
    taxonomy = models.CharField(max_length=200, blank=True)
    taxonomy_ref = models.ForeignKey(Taxonomy, null=True, blank=True, on_delete=models.SET_NULL, related_name="terms")
    term_uri = models.CharField(max_length=500, blank=True)
    term = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organisation = models.ForeignKey(DirectoryOrganisation, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=40)
    fees = models.TextField(blank=True)
    minimum_age = models.CharField(max_length=20, blank=True)
    maximum_age = models.CharField(max_length=20, blank=True)
    last_modified = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location_type = models.CharField(max_length=40)
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    latitude = models.CharField(max_length=30, blank=True)
    longitude = models.CharField(max_length=30, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="addresses")
    address_1 = models.CharField(max_length=300)
    city = models.CharField(max_length=200)
    region = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=10)
    address_type = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city} {self.postal_code}"


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_here")

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Attribute(models.Model):
    """A category given to something: ORUK links a taxonomy term to any row by its id (here, services)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    link_id = models.UUIDField()
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes")
    link_type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.taxonomy_term_id} on {self.link_id}"


class CommunityAsset(models.Model):
    """A building, land or space that serves the community: who owns it, on what tenure, its listing as an Asset of
    Community Value (Localism Act 2011) and any community asset transfer with its lease."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="community_assets")  # whose directory lists it
    name = models.CharField(max_length=300)
    asset_type = models.CharField(max_length=20, choices=[(t.value, t.label) for t in AssetType])
    organisation = models.ForeignKey(
        DirectoryOrganisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets")
    owner = models.CharField(max_length=300)
    tenure = models.CharField(max_length=20, choices=[(t.value, t.label) for t in Tenure])
    capacity = models.PositiveIntegerField(null=True, blank=True)
    acv_listed = models.BooleanField("listed as an Asset of Community Value", default=False)
    acv_listed_on = models.DateField(null=True, blank=True)
    acv_expires_on = models.DateField(null=True, blank=True)
    acv_listing_authority = models.CharField(max_length=200, blank=True)
    transferred = models.BooleanField("community asset transfer", default=False)
    lease_start = models.DateField(null=True, blank=True)
    lease_end = models.DateField(null=True, blank=True)
    lease_terms = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
