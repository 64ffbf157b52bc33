from django.apps import AppConfig
from django.db.models import Field


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scheduling.lookups import AnyOf

        Field.register_lookup(AnyOf)
