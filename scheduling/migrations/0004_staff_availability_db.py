from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_notifications_db")]

    operations = []
