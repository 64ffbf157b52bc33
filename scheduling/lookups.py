"""Custom ORM lookups, registered once in SchedulingConfig.ready()."""

from django.db.models import Lookup


class AnyOf(Lookup):
    """`field = ANY(ARRAY(subquery))`: like `__in`, but an index condition that can be OR-ed with others."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
