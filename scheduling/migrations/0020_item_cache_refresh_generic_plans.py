from django.db import migrations

FUNCTION = "refresh_appointment_items(bigint[], boolean)"


class Migration(migrations.Migration):
    """refresh_appointment_items runs its statements with generic plans (sql_views/appointment_item_cache.sql says
    why). A fresh database gets the setting from the file itself; this sets it on a database created before."""

    dependencies = [("scheduling", "0019_protect_item_cache_and_status_counts")]

    operations = [
        migrations.RunSQL(
            f"ALTER FUNCTION {FUNCTION} SET plan_cache_mode = force_generic_plan",
            reverse_sql=f"ALTER FUNCTION {FUNCTION} RESET plan_cache_mode",
        )
    ]
