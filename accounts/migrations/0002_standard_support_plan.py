from django.db import migrations

# Frozen copy of accounts.models.DEFAULT_CADENCE as it was when this migration was written.
CADENCE = {1: (15, 30, 10, False), 2: (60, 120, 30, False), 3: (240, 600, 120, True), 4: (600, 1800, 240, True)}


def create_standard_plan(apps, schema_editor):
    SupportPlan = apps.get_model("accounts", "SupportPlan")
    CadenceRule = apps.get_model("accounts", "CadenceRule")
    plan, _ = SupportPlan.objects.get_or_create(
        name="Standard",
        defaults={"is_default": True, "description": "The default cadence (DESIGN rule 4)."},
    )
    for priority, (first, every, lead, business) in CADENCE.items():
        CadenceRule.objects.get_or_create(
            plan=plan,
            priority=priority,
            defaults={
                "first_response_minutes": first,
                "update_interval_minutes": every,
                "reminder_lead_minutes": lead,
                "business_hours_only": business,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_standard_plan, migrations.RunPython.noop)]
