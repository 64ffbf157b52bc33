from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_staff_availability_db")]

    operations = []
