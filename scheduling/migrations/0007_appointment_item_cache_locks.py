from django.db import migrations

from scheduling.sql_views import view_sql


class Migration(migrations.Migration):
    """refresh_appointment_items locks what it reads (issue 14): re-apply appointment_item_cache.sql."""

    dependencies = [("scheduling", "0006_notification_hot_updates")]

    operations = [migrations.RunSQL(view_sql("appointment_item_cache"), reverse_sql=migrations.RunSQL.noop)]
