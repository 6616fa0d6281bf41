"""Running the same action from several threads at the same moment, for the tests of races."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

Result = TypeVar("Result")


def run_together(work: Callable[..., Result], arguments: Iterable[tuple[Any, ...]]) -> list[Result]:
    """Call `work(ready, *args)` for each tuple of arguments, each in its own thread. `ready()` waits
    until every thread has called it, so what follows it starts at the same moment in all of them.
    Returns the results in the order the threads finished; re-raises the first error a thread met."""
    calls = list(arguments)
    barrier = threading.Barrier(len(calls))
    results: list[Result] = []
    errors: list[BaseException] = []

    def run(args: tuple[Any, ...]) -> None:
        try:
            results.append(work(barrier.wait, *args))
        except BaseException as error:
            errors.append(error)
            barrier.abort()  # release the others rather than leave them waiting for this one

    threads = [threading.Thread(target=run, args=(args,)) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
