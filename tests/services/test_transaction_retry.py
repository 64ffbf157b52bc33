"""run_in_transaction: a deadlock or serialization failure is retried, anything else is not."""

import threading

import pytest
from django.db import IntegrityError, OperationalError, connection

from scheduling.models import Client
from scheduling.services.transactions import MAX_ATTEMPTS, run_in_transaction
from tests import factories
from tests.concurrency import race


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_transactions_that_deadlock_both_finish_after_the_retry():
    first, second = factories.ClientFactory(), factories.ClientFactory()
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {"a": 0, "b": 0}

    def rename(name: str, lock_first: Client, then: Client) -> None:
        attempts[name] += 1
        Client.objects.filter(id=lock_first.id).update(notes=name)
        if attempts[name] == 1:
            both_hold_one.wait()  # the first attempt of each holds one row and wants the other's: a deadlock
        Client.objects.filter(id=then.id).update(notes=name)

    results = race(
        [
            lambda: run_in_transaction(rename, "a", first, second),
            lambda: run_in_transaction(rename, "b", second, first),
        ]
    )
    assert results == [None, None]
    assert attempts["a"] + attempts["b"] == 3  # PostgreSQL aborted exactly one of them, which ran again


@pytest.mark.django_db(transaction=True)
def test_an_error_that_is_not_a_deadlock_is_not_retried():
    customer = factories.ClientFactory()
    calls = []

    def duplicate() -> None:
        calls.append(1)
        factories.ClientFactory(phone_number=customer.phone_number)

    with pytest.raises(IntegrityError):
        run_in_transaction(duplicate)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_keeps_deadlocking_gives_up_after_the_bounded_attempts():
    calls = []

    def always_deadlocks() -> None:
        calls.append(1)
        with connection.cursor() as cursor:  # a real 40P01 raised by PostgreSQL itself
            cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'deadlock_detected'; END $$")

    with pytest.raises(OperationalError):
        run_in_transaction(always_deadlocks)
    assert len(calls) == MAX_ATTEMPTS
