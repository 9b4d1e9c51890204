"""The admin says "organisation", as the product does (issue 15). Meta options only: no SQL."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_standard_support_plan'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='organization',
            options={'ordering': ['name'], 'verbose_name': 'organisation', 'verbose_name_plural': 'organisations'},
        ),
    ]
