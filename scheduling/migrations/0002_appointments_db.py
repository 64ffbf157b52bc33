from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = []
