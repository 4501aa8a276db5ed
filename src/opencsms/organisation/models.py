"""The levels of an organisation (organisation > business unit > project) and memberships with a role.

A membership is held at exactly one level and applies to everything below it (see `access.py` for what
each role may do). No workflows here: see services.py.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from opencsms.core.models import User


class Level(models.TextChoices):
    """The kinds of level a membership can be held at; the value is also the audit scope prefix."""

    ORGANISATION = "organisation", "Organisation"
    BUSINESS_UNIT = "business_unit", "Business unit"
    PROJECT = "project", "Project"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    CYBERSECURITY_MANAGER = "cybersecurity_manager", "Cybersecurity manager"
    ENGINEER = "engineer", "Engineer"
    REVIEWER = "reviewer", "Reviewer"
    AUDITOR = "auditor", "Auditor"
    SUPPLIER_GUEST = "supplier_guest", "Supplier guest"


class Organisation(models.Model):
    """The corporate level."""

    level: ClassVar[Level] = Level.ORGANISATION
    audit_fields: ClassVar[tuple[str, ...]] = ("name", "slug")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="organisation_organisation_slug_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        return f"{self.level}:{self.pk}"


class BusinessUnit(models.Model):
    """A business unit of an organisation."""

    level: ClassVar[Level] = Level.BUSINESS_UNIT
    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "name", "slug")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="business_units")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="organisation_businessunit_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        return f"{self.level}:{self.pk}"


class Project(models.Model):
    """A project of a business unit: the level where a TARA lives."""

    level: ClassVar[Level] = Level.PROJECT
    audit_fields: ClassVar[tuple[str, ...]] = ("business_unit", "name", "slug")

    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business_unit", "slug"], name="organisation_project_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        return f"{self.level}:{self.pk}"


LevelObject = Organisation | BusinessUnit | Project


class Membership(models.Model):
    """A user's role at exactly one level (organisation, business unit or project)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("user", "organisation", "business_unit", "project", "role")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change (core.versions)")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, business_unit__isnull=True, project__isnull=True)
                    | models.Q(organisation__isnull=True, business_unit__isnull=False, project__isnull=True)
                    | models.Q(organisation__isnull=True, business_unit__isnull=True, project__isnull=False)
                ),
                name="organisation_membership_exactly_one_level",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organisation_membership_role_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="organisation_membership_user_organisation_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "business_unit"],
                condition=models.Q(business_unit__isnull=False),
                name="organisation_membership_user_business_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "project"],
                condition=models.Q(project__isnull=False),
                name="organisation_membership_user_project_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} at {self.scope}"

    @property
    def scope(self) -> str:
        """The level it is held at, as `kind:id` (the audit scope)."""
        if self.organisation_id is not None:
            return f"{Level.ORGANISATION}:{self.organisation_id}"
        if self.business_unit_id is not None:
            return f"{Level.BUSINESS_UNIT}:{self.business_unit_id}"
        return f"{Level.PROJECT}:{self.project_id}"

    @property
    def etag(self) -> str:
        """The version as the pages and the API carry it (core.versions)."""
        return str(self.version)
