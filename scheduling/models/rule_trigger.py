"""A trigger that guards a rule the way a constraint does, and says so to the API."""

import pgtrigger


class RuleTrigger(pgtrigger.Trigger):
    """A trigger that refuses rows with `RAISE ... USING CONSTRAINT = '<its name>'` and, like a Django constraint,
    carries the message and code the API answers with when it fires (scheduling.errors.constraint_error)."""

    def __init__(self, *, violation_error_message: str, violation_error_code: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.violation_error_message = violation_error_message
        self.violation_error_code = violation_error_code
