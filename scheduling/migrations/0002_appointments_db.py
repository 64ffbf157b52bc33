from django.db import migrations

from scheduling.sql_views import create_view


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        create_view("appointment_totals"),
    ]
