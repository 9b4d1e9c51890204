"""What the generators of one seed_scale run share: the random source, the moment that is "now",
the people, the COPY buffers and the id sequences of the rows written by id."""

import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate, count

from demo.scale.copy_tables import Table
from demo.scale.people import People


def weighted[T](rng: random.Random, pairs: Sequence[tuple[T, int]]) -> Callable[[], T]:
    """A draw from (value, weight) pairs."""
    values = [v for v, _ in pairs]
    cum = list(accumulate(w for _, w in pairs))
    return lambda: values[bisect(cum, rng.random() * cum[-1])]


@dataclass
class Ids:
    """Ids handed out in order, so rows can refer to each other before they are loaded."""

    entry: Iterator[int] = field(default_factory=lambda: count(1))
    promise: Iterator[int] = field(default_factory=lambda: count(1))
    alert: Iterator[int] = field(default_factory=lambda: count(1))
    feedback: Iterator[int] = field(default_factory=lambda: count(1))
    escalation: Iterator[int] = field(default_factory=lambda: count(1))


@dataclass
class Load:
    rng: random.Random
    now: datetime
    people: People
    tables: dict[str, Table]
    # (id, expected response minutes) of every vendor.
    vendors: list[tuple[int, int | None]]
    ids: Ids = field(default_factory=Ids)
