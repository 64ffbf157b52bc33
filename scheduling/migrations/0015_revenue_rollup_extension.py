# The revenue roll-up gains the view's revenue_extension column (the frontend's service extensions, merged from
# the contract branch); every existing date is marked dirty again so the next report recounts it from the view.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0014_merge_0009_report_rollups_0013_merge_20261130_0041"),
    ]

    operations = [
        migrations.AddField(
            model_name="revenuedayrollup",
            name="revenue_extension",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "INSERT INTO report_dirty_day (date, marks) SELECT DISTINCT date, 1 FROM scheduling_appointment "
            "ON CONFLICT (date) DO UPDATE SET marks = report_dirty_day.marks + 1",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
