"""The routes of one listener and their rule priorities: the library's one priority scheme.

An Application Load Balancer evaluates a listener's rules from the lowest priority number up,
and the first whose conditions match a request takes it. Routes are placed in **bands** by how
much of a request they look at, the most specific first:

========================  ===============  ==================================================
band                      priorities       a route with
========================  ===============  ==================================================
``HOST_AND_PATH``         1 - 9999         host headers and path patterns
``HOST``                  10000 - 19999    host headers only (or the path ``/*``)
``PATH``                  20000 - 49989    path patterns only
``CATCH_ALL``             49990 - 50000    neither (the path ``/*`` on any host)
========================  ===============  ==================================================

Inside its band a route asks for ``band start + crc32(owner's construct path) % band size``:
stable across synths, whatever else the listener holds. A number asked for twice goes to the
owner whose path sorts first, the other takes the next free number of the band; a priority
given explicitly (``priority=``) is used as given and never taken by a derived one. So adding
or removing a route moves no other route, unless a newcomer's derived number is the one an
existing route holds and its path sorts first (about one chance in ten thousand per route).

Two routes that can match the same request must be ordered by design: in different bands, or
by explicit priorities. Two routes of one band with a derived priority, whose hosts and paths
overlap, are refused; so are two routes with the same conditions, priorities or not.
"""

from __future__ import annotations

import enum
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import aws_cdk as cdk

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._limits import TARGET_GROUPS_PER_LOAD_BALANCER

__all__ = ["MAX_RULES", "Band", "Route", "RouteTable", "preferred_priority"]

MIN_PRIORITY, MAX_PRIORITY = 1, 50_000
"""Listener rule priorities an ALB accepts."""
MAX_RULES = 100
"""Rules per Application Load Balancer, default rules excluded (a quota AWS can raise)."""
MAX_CONDITION_VALUES = 5
"""Condition values over all conditions of one rule (an ALB quota)."""
MAX_WILDCARDS = 5
"""Wildcards (``*``, ``?``) over all conditions of one rule (an ALB quota)."""
MAX_CONDITION_LENGTH = 128
"""Characters of one host or path condition value."""

_PATH = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+&*?]+")
_HOST = re.compile(r"[A-Za-z0-9\-.*?]+")
_TLD = re.compile(r"[A-Za-z]+")
_EVERY_PATH = frozenset({"/*", "*"})


class Band(enum.Enum):
    """Where a route's derived priority lies: more specific routes first."""

    HOST_AND_PATH = (1, 9_999)
    HOST = (10_000, 19_999)
    PATH = (20_000, 49_989)
    CATCH_ALL = (49_990, 50_000)

    @property
    def first(self) -> int:
        return self.value[0]

    @property
    def last(self) -> int:
        return self.value[1]


def preferred_priority(owner_path: str, band: Band = Band.PATH) -> int:
    """The priority a route of ``owner_path`` asks for in ``band``.

    ``zlib.crc32`` of the construct path (Python's ``hash()`` is salted per process).
    """
    size = band.last - band.first + 1
    return band.first + zlib.crc32(owner_path.encode("utf-8")) % size


@dataclass(frozen=True, kw_only=True)
class Route:
    """One rule's conditions, its owner and, when given, its explicit priority."""

    owner: str
    """Construct path of the owner (the rule is ``<owner>/ListenerRule``)."""
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int | None = None
    target_groups: int = 1
    """Target groups the route adds to the load balancer (two for a blue/green service)."""
    rules: int = 1
    """Listener rules the route defines (two for a blue/green service with a test listener:
    the test listener's rule counts against the load balancer's quota too)."""

    @property
    def band(self) -> Band:
        every_path = not self.paths or bool(_EVERY_PATH & set(self.paths))
        if self.hosts:
            return Band.HOST if every_path else Band.HOST_AND_PATH
        return Band.CATCH_ALL if every_path else Band.PATH

    def describe(self) -> str:
        return f"{self.owner} (host_headers {list(self.hosts)}, path_patterns {list(self.paths)})"

    def ordered_with(self, other: Route) -> bool:
        """Whether the order of the two rules is decided by design, not by hashing."""
        if self.priority is not None and other.priority is not None:
            return True
        if self.priority is None and other.priority is None:
            return self.band != other.band
        explicit, derived = (self, other) if self.priority is not None else (other, self)
        assert explicit.priority is not None
        return not derived.band.first <= explicit.priority <= derived.band.last

    def overlaps(self, other: Route) -> bool:
        """Whether one request can match both (an empty condition matches every request)."""
        return _values_overlap(self.hosts, other.hosts) and _values_overlap(self.paths, other.paths)


class RouteTable:
    """The routes of one listener, checked as they are added, and their priorities.

    Priorities are assigned from the whole set of routes when the template is rendered
    (``priority_of``), so they do not depend on the order routes are added in.
    """

    def __init__(
        self,
        *,
        max_rules: int = MAX_RULES,
        max_target_groups: int = TARGET_GROUPS_PER_LOAD_BALANCER,
    ) -> None:
        self.max_rules = max_rules
        self.max_target_groups = max_target_groups
        self.when_full = "put further services behind another LoadBalancer"
        """What the refusal of a route over either quota tells the user to do."""
        self._routes: dict[str, Route] = {}
        self._assigned: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._routes)

    @property
    def rule_count(self) -> int:
        """Listener rules the routes define, on every listener of the load balancer."""
        return sum(route.rules for route in self._routes.values())

    @property
    def target_group_count(self) -> int:
        """Target groups the routes forward to (each counts against the load balancer's 100)."""
        return sum(route.target_groups for route in self._routes.values())

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self._routes.values())

    def add(self, route: Route) -> None:
        """Add ``route``, or raise ``ConfigurationError`` saying why it cannot be routed."""
        if self.rule_count + route.rules > self.max_rules:
            raise ConfigurationError(
                "add_route",
                route.owner,
                f"at most {self.max_rules} rules on one Application Load Balancer (its "
                f"quota): {self.when_full}",
            )
        if self.target_group_count + route.target_groups > self.max_target_groups:
            raise ConfigurationError(
                "add_route",
                route.owner,
                f"at most {self.max_target_groups} target groups on one Application Load "
                f"Balancer (a quota AWS does not raise; {self.target_group_count} in use, this "
                f"route adds {route.target_groups}): {self.when_full}",
            )
        if route.owner in self._routes:
            raise ConfigurationError(
                "owner",
                route.owner,
                "a construct with no route yet: each owner has one rule, 'ListenerRule'; "
                "list all its paths and hosts in one add_route call",
            )
        if route.priority is not None:
            self._check_explicit(route)
        for other in self._routes.values():
            if set(other.hosts) == set(route.hosts) and set(other.paths) == set(route.paths):
                raise ConfigurationError(
                    "path_patterns",
                    _shown(route),
                    f"conditions no other rule has, but {other.describe()} has the same: the "
                    "second rule would never be matched; route it differently",
                )
            if route.overlaps(other) and not route.ordered_with(other):
                raise ConfigurationError(
                    "path_patterns",
                    _shown(route),
                    f"a route no other service's rule also matches, but {other.describe()} "
                    f"can match the same requests (an empty list matches any), both are in the "
                    f"{route.band.name} band and the order of derived priorities is arbitrary; "
                    "make the patterns disjoint, or give both services explicit priorities "
                    "(the lower number wins)",
                )
        self._routes[route.owner] = route
        self._assigned = None

    def priority_of(self, owner: str) -> int:
        """The rule priority of ``owner``'s route, from the whole set of routes."""
        if self._assigned is None:
            self._assigned = self._assign()
        return self._assigned[owner]

    def _check_explicit(self, route: Route) -> None:
        priority = route.priority
        if (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or not MIN_PRIORITY <= priority <= MAX_PRIORITY
        ):
            raise ConfigurationError(
                "priority", priority, f"an integer from {MIN_PRIORITY} to {MAX_PRIORITY}"
            )
        for other in self._routes.values():
            if other.priority == priority:
                raise ConfigurationError(
                    "priority",
                    priority,
                    f"a priority no other rule on this load balancer has: {other.owner} "
                    f"already has {priority} (asked by {route.owner})",
                )

    def _assign(self) -> dict[str, int]:
        taken = {r.priority for r in self._routes.values() if r.priority is not None}
        assigned = {r.owner: r.priority for r in self._routes.values() if r.priority is not None}
        derived = sorted((r for r in self._routes.values() if r.priority is None), key=_owner)
        losers: list[Route] = []
        for route in derived:  # everyone's own number first, the path that sorts first wins
            wanted = preferred_priority(route.owner, route.band)
            if wanted in taken:
                losers.append(route)
            else:
                taken.add(wanted)
                assigned[route.owner] = wanted
        for route in losers:  # then the next free number of the band, upward, wrapping
            band = route.band
            candidate = preferred_priority(route.owner, band)
            for _ in range(band.last - band.first + 1):
                if candidate not in taken:
                    break
                candidate = band.first if candidate == band.last else candidate + 1
            else:
                raise ConfigurationError(
                    "priority",
                    route.owner,
                    f"a free priority in the {band.name} band ({band.first}-{band.last}): "
                    "every number is taken; give this route an explicit priority",
                )
            taken.add(candidate)
            assigned[route.owner] = candidate
        return assigned


def _owner(route: Route) -> str:
    return route.owner


def _shown(route: Route) -> dict[str, object]:
    return {
        "owner": route.owner,
        "host_headers": list(route.hosts),
        "path_patterns": list(route.paths),
    }


# ---------------------------------------------------------------------- conditions


def clean_conditions(
    path_patterns: Sequence[str], host_headers: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Validated, de-duplicated path patterns and lower-cased host headers."""
    paths = _clean(path_patterns, "path_patterns", _validate_path)
    hosts = tuple(h.lower() for h in _clean(host_headers, "host_headers", _validate_host))
    if not paths and not hosts:
        raise ConfigurationError(
            "path_patterns",
            list(paths),
            "at least one path pattern or host header: a service needs something to be "
            "routed on (path_patterns=['/*'] routes every request)",
        )
    _validate_limits(paths, hosts)
    return paths, hosts


def _clean(
    values: Sequence[str], field: str, validate: Callable[[str, str], None]
) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ConfigurationError(field, values, f"a list of strings, e.g. [{values!r}]")
    out: list[str] = []
    for value in values:
        if not cdk.Token.is_unresolved(value):
            validate(value, field)
        if value not in out:
            out.append(value)
    return tuple(out)


def _validate_path(value: str, field: str) -> None:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CONDITION_LENGTH
        or not _PATH.fullmatch(value)
        or value[0] not in "/*?"
    ):
        raise ConfigurationError(
            field,
            value,
            f"path patterns of 1 to {MAX_CONDITION_LENGTH} characters starting with '/' "
            "(or a wildcard): letters, digits, _ - . $ / ~ \" ' @ : + &, and the wildcards "
            "* (any run) and ? (one character)",
        )


def _validate_host(value: str, field: str) -> None:
    last_label = value.rsplit(".", 1)[-1] if isinstance(value, str) else ""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_CONDITION_LENGTH
        or not _HOST.fullmatch(value)
        or "." not in value
        or not _TLD.fullmatch(last_label)
    ):
        raise ConfigurationError(
            field,
            value,
            f"host names of up to {MAX_CONDITION_LENGTH} characters: letters, digits, '-', "
            "'.', and the wildcards * and ?, with at least one '.' and only letters after "
            "the last one (e.g. 'api.example.com', '*.example.com')",
        )


def _validate_limits(paths: tuple[str, ...], hosts: tuple[str, ...]) -> None:
    values = len(paths) + len(hosts)
    if values > MAX_CONDITION_VALUES:
        raise ConfigurationError(
            "path_patterns",
            {"path_patterns": list(paths), "host_headers": list(hosts)},
            f"at most {MAX_CONDITION_VALUES} path patterns and host headers in total per "
            f"rule (an ALB quota); got {values}",
        )
    wildcards = sum(v.count("*") + v.count("?") for v in paths + hosts)
    if wildcards > MAX_WILDCARDS:
        raise ConfigurationError(
            "path_patterns",
            {"path_patterns": list(paths), "host_headers": list(hosts)},
            f"at most {MAX_WILDCARDS} wildcards ('*', '?') in total per rule (an ALB quota); "
            f"got {wildcards}",
        )


def _literal_prefix(pattern: str) -> str:
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    return pattern[:cut]


def _overlap(a: str, b: str) -> bool:
    """Whether two ALB wildcard patterns (``*`` any run, ``?`` one character) share a match."""
    prefix_a, prefix_b = _literal_prefix(a), _literal_prefix(b)
    if not (prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)):
        return False  # every match of each starts with its literal prefix: they cannot meet

    @cache
    def meet(i: int, j: int) -> bool:
        if i < len(a) and a[i] == "*" and meet(i + 1, j):
            return True
        if j < len(b) and b[j] == "*" and meet(i, j + 1):
            return True
        if i == len(a) or j == len(b):
            return i == len(a) and j == len(b)
        x, y = a[i], b[j]
        if x == "*" and y == "*":
            return False  # consuming a character together makes no progress
        if x in "*?" or y in "*?" or x == y:
            return meet(i if x == "*" else i + 1, j if y == "*" else j + 1)
        return False

    return meet(0, 0)


def _values_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """An empty condition matches every request, so it overlaps anything."""
    return not a or not b or any(_overlap(x, y) for x, y in ((x, y) for x in a for y in b))
