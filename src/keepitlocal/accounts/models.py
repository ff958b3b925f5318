"""People who sign in, and the roles they hold in the network."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.create_user(email, password, **extra)
        Role.objects.get_or_create(user=user, kind=Role.Kind.NETWORK_ADMIN)
        return user


class User(AbstractBaseUser):
    """A person who signs in with an email address and a password."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_network_admin(self) -> bool:
        cached = getattr(self, "_is_network_admin", None)
        if cached is None:
            cached = self.is_active and self.roles.filter(kind=Role.Kind.NETWORK_ADMIN).exists()
            self._is_network_admin = cached
        return cached

    # The Django admin asks these; only the network team may use it, and within it they may do anything.
    @property
    def is_staff(self) -> bool:
        return self.is_network_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_network_admin

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_network_admin

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return self.is_network_admin

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_network_admin

    @property
    def audit_label(self) -> str:
        """How this person is named in change histories: the name, and always the address that signed in."""
        return f"{self.full_name} ({self.email})" if self.full_name else self.email

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._password_changed = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_password_changed", False):
            # A new password ends every API token: someone who had the old one (or a stolen session that made a
            # token) keeps nothing. Here, not in a view, so that every way of setting a password does it.
            self._password_changed = False
            ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(revoked_at=timezone.now())


class Role(models.Model):
    """One role a person holds: network admin, editor or viewer of a council, or editor of an organisation."""

    class Kind(models.TextChoices):
        NETWORK_ADMIN = "network_admin", "Network admin"
        COUNCIL_EDITOR = "council_editor", "Council editor"
        COUNCIL_VIEWER = "council_viewer", "Council viewer"
        ORGANISATION_EDITOR = "organisation_editor", "Community organisation editor"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    council = models.ForeignKey("network.Council", null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_has_right_target",
                condition=(
                    Q(kind="network_admin", council__isnull=True, organisation__isnull=True)
                    | Q(kind__in=["council_editor", "council_viewer"], council__isnull=False, organisation__isnull=True)
                    | Q(kind="organisation_editor", council__isnull=True, organisation__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "kind"], condition=Q(kind="network_admin"), name="unique_network_admin_role"),
            models.UniqueConstraint(
                fields=["user", "kind", "council"], condition=Q(council__isnull=False), name="unique_council_role"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "organisation"], condition=Q(organisation__isnull=False), name="unique_organisation_role"
            ),
        ]

    def __str__(self) -> str:
        target = self.council or self.organisation
        return f"{self.get_kind_display()} of {target}" if target else self.get_kind_display()


class ApiToken(models.Model):
    """A token for the API, created by a council editor or a network admin on their account page. Only a hash of it
    is kept; it carries its owner's roles as they are when it is used, and nothing more."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # shown so that its owner can tell tokens apart; not enough to use one
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RateCount(models.Model):
    """How many requests one key (an address, an API token, a sign-in target) made in one window; counted in the
    database with an atomic update, so that every process and thread shares one count."""

    key = models.CharField(max_length=100)
    window = models.BigIntegerField()  # when the window ends, in seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="one_count_per_key_and_minute")]
        indexes = [models.Index(fields=["window"])]

    def __str__(self) -> str:
        return f"{self.key}: {self.count} in the window ending {self.window}"


class AccountInvitation(models.Model):
    """An invitation for a person to a council's work on the platform: a single-use link (only its hash kept) through
    which they set their own password. Sent by the network team from a council's people page, by `kil people invite`,
    or on accepting a council's request to join."""

    INVITATION_DAYS = 14

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    council = models.ForeignKey("network.Council", on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=30, choices=Role.Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.user} to {self.council} ({self.get_kind_display()})"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
