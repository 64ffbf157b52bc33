from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_appointments_db")]

    operations = []
