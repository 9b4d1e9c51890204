"""People (staff and customer contacts), customer organisations and their support plans.

This app knows nothing of tickets: priorities appear here only as the numbers 1-4 that index a
support plan's cadence table.
"""

from datetime import time, timedelta
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as django_timezone

from accounts.business_hours import BusinessCalendar

PRIORITY_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]

# DESIGN rule 4 and rule 6: (first response, update every, due-soon lead) in minutes, and whether
# the clock runs only in business hours. One business day is 600 minutes of a 08:00-18:00 day.
DEFAULT_CADENCE: dict[int, tuple[int, int, int, bool]] = {
    1: (15, 30, 10, False),
    2: (60, 120, 30, False),
    3: (240, 600, 120, True),
    4: (600, 1800, 240, True),
}


def validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError(
            f"“{value}” is not a known time zone (use an IANA name such as Europe/London)."
        )


_TIMEZONES = frozenset(available_timezones())
TIMEZONE_CHOICES = sorted((name, name) for name in _TIMEZONES)


def validate_weekdays(value: str) -> None:
    try:
        days = parse_weekdays(value)
    except ValueError:
        days = frozenset()
    if not days:
        raise ValidationError(
            "List business weekdays as numbers 0-6 separated by commas (Monday is 0)."
        )


def parse_weekdays(value: str) -> frozenset[int]:
    days = frozenset(int(part) for part in value.split(",") if part.strip())
    if not days or not days <= set(range(7)):
        raise ValueError(value)
    return days


class SupportPlan(models.Model):
    """A named cadence table (DESIGN rule 4) that organisations subscribe to; editable by managers."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="New organisations get this plan unless another is chosen."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_support_plan",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> "SupportPlan":
        plan = cls.objects.filter(is_default=True).first()
        if plan is None:
            plan, _ = cls.objects.get_or_create(
                name="Standard",
                defaults={"is_default": True, "description": "The default cadence."},
            )
        if not plan.cadence_rules.exists():
            plan.add_default_rules()
        return plan

    def add_default_rules(self) -> None:
        CadenceRule.objects.bulk_create(
            [
                CadenceRule(
                    plan=self,
                    priority=priority,
                    first_response_minutes=first,
                    update_interval_minutes=every,
                    reminder_lead_minutes=lead,
                    business_hours_only=business,
                )
                for priority, (first, every, lead, business) in DEFAULT_CADENCE.items()
            ],
            ignore_conflicts=True,
        )


class CadenceRule(models.Model):
    """How fast we answer and how often we update, for one priority of one support plan."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="cadence_rules")
    priority = models.PositiveSmallIntegerField(validators=PRIORITY_VALIDATORS)
    first_response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    update_interval_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    reminder_lead_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="How long before a promised update the owner is reminded (rule 6).",
    )
    business_hours_only = models.BooleanField(
        help_text="Count minutes only inside the organisation's business hours (else 24x7)."
    )

    class Meta:
        ordering = ["plan", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "priority"], name="one_cadence_rule_per_priority"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="cadence_priority_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        clock = "business hours" if self.business_hours_only else "24x7"
        return (
            f"P{self.priority}: first response {self.first_response_minutes} min, "
            f"update every {self.update_interval_minutes} min ({clock})"
        )


def default_support_plan_id() -> int:
    return SupportPlan.default().pk


class Organization(models.Model):
    """A customer company: where it is, when its support clock runs, and which plan it pays for."""

    name = models.CharField(max_length=200, unique=True)
    timezone = models.CharField(
        max_length=64, default="UTC", choices=TIMEZONE_CHOICES, validators=[validate_timezone]
    )
    business_opens = models.TimeField(default=time(8, 0))
    business_closes = models.TimeField(default=time(18, 0))
    business_weekdays = models.CharField(
        max_length=13,
        default="0,1,2,3,4",
        validators=[validate_weekdays],
        help_text="Weekdays the business-hours clock runs, 0 = Monday.",
    )
    holiday_country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO country code whose public holidays pause the clock.",
    )
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    support_plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, default=default_support_plan_id, related_name="+"
    )
    contacts_sign_in_by_link_only = models.BooleanField(
        default=False,
        help_text="This organisation's contacts sign in only with an emailed link, never a "
        "password (set by an organisation admin in the portal).",
    )
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        # The product's spelling (the code keeps Django's "organization").
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(business_opens__lt=models.F("business_closes")),
                name="organization_opens_before_closes",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.business_opens
            and self.business_closes
            and self.business_opens >= self.business_closes
        ):
            raise ValidationError({"business_closes": "Business hours must close after they open."})
        try:
            self.calendar()
        except ValueError as error:
            raise ValidationError({"holiday_country": str(error)}) from error

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            timezone=self.timezone,
            opens=self.business_opens,
            closes=self.business_closes,
            weekdays=parse_weekdays(self.business_weekdays),
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
        )

    def cadence_for(self, priority: int) -> CadenceRule:
        """The plan's rule for a priority; uses prefetched rules when the caller loaded them."""
        for rule in self.support_plan.cadence_rules.all():
            if rule.priority == priority:
                return rule
        raise CadenceRule.DoesNotExist(
            f"Support plan {self.support_plan} has no rule for P{priority}."
        )

    def add_clock_time(self, start, minutes: int, *, business_hours_only: bool):
        """`minutes` after `start` on this organisation's clock (business hours or 24x7)."""
        if business_hours_only:
            return self.calendar().add_business_time(start, timedelta(minutes=minutes))
        return start + timedelta(minutes=minutes)


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    MANAGER = "manager", "Manager"
    CONTACT = "contact", "Customer contact"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(role=Role.MANAGER, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in. The email address is the login; the role decides what they see."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CONTACT)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The customer company a contact belongs to (contacts only).",
    )
    sees_organization_tickets = models.BooleanField(
        default=False,
        help_text="An organisation admin contact sees every ticket of their organisation.",
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        choices=TIMEZONE_CHOICES,
        validators=[validate_timezone],
        help_text="Blank: the organisation's time zone.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, editable=False, help_text="Admin site access; follows the manager role."
    )
    date_joined = models.DateTimeField(default=django_timezone.now)
    email_failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a hard bounce said this address no longer takes mail (blank: fine).",
    )
    triage_duty_setting = models.BooleanField(
        null=True,
        blank=True,
        db_column="triage_duty",
        help_text="Told of new unowned tickets. Blank: yes for managers, no for agents.",
    )
    notification_email_off = models.JSONField(
        default=list,
        blank=True,
        help_text="Notification kinds this person gets in the app only, not by email.",
    )
    # Mirrors "has a confirmed TOTP device" (accounts.two_factor) on the row every request loads
    # anyway, so the sign-in gate costs no query for the people without two-factor.
    two_factor_enabled = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="contact") | models.Q(organization__isnull=False),
                name="contact_belongs_to_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        self.email = self.email.lower()
        if self.role == Role.CONTACT and self.organization_id is None:
            raise ValidationError(
                {"organization": "A customer contact must belong to an organisation."}
            )
        if self.role != Role.CONTACT and self.organization_id is not None:
            raise ValidationError(
                {"organization": "Only customer contacts belong to an organisation."}
            )

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        self.is_staff = self.role == Role.MANAGER or self.is_superuser
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.display_name_for(self.name, self.email)

    @staticmethod
    def display_name_for(name: str, email: str) -> str:
        """The display name from the two columns alone (lists that skip building users)."""
        return name or email.split("@")[0]

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER or self.is_superuser

    @property
    def is_helpdesk_staff(self) -> bool:
        return self.role in (Role.AGENT, Role.MANAGER) or self.is_superuser

    @property
    def triage_duty(self) -> bool:
        """Whether new unowned tickets are this person's to hear about (API.md: ``triage_duty``)."""
        if not self.is_active or not self.is_helpdesk_staff:
            return False
        if self.triage_duty_setting is None:
            return self.is_manager
        return self.triage_duty_setting

    def wants_email_for(self, kind: str) -> bool:
        """Whether a notification of ``kind`` also goes to this person by email."""
        return kind not in self.notification_email_off

    @property
    def is_contact(self) -> bool:
        return self.role == Role.CONTACT and not self.is_superuser

    @property
    def effective_timezone(self) -> str:
        if self.timezone:
            return self.timezone
        if self.organization_id:
            return self.organization.timezone
        return "UTC"

    def has_perm(self, perm: str, obj=None) -> bool:
        # Managers run the admin site on day one without anyone handing out permissions.
        if self.is_active and self.role == Role.MANAGER:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.MANAGER:
            return True
        return super().has_module_perms(app_label)


class UserSession(models.Model):
    """One signed-in browser of one person: what the sessions page lists and what "sign out
    everywhere" ends. Written when a sign-in completes (accounts.sessions), refreshed at most
    every few minutes while it is used; the Django session row holds the rest."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    last_seen_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} on {self.user_agent[:40]}"
