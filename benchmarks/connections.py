"""Connections measured: every measure on a generated map of 5,000 elements and 50,000 connections (target under
10 s on two cores), the reading of a Kumu workbook of that size, and the map page of an organisation whose map has
500 elements (target under 300 ms), served by Django from a temporary SQLite database.

    .venv/bin/python benchmarks/connections.py [--elements 5000] [--connections 50000] [--page-elements 500]

The map is generated like a real area's: elements in six sectors, most ties within neighbourhoods (clusters of about
50), some across, a few hubs with many ties, a mix of one-way and mutual ties.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keepitlocal.connections.engine import kumu  # noqa: E402
from keepitlocal.connections.engine import measures as m  # noqa: E402
from keepitlocal.connections.engine.model import Connection, Direction, Element, Network, Sector  # noqa: E402


def generate(elements: int, connections: int, seed: int = 1, centre: bool = False) -> Network:
    """Elements in six sectors, mostly tied within neighbourhoods. With `centre`, element 0 is the organisation whose map it is, tied both ways to every other element (an
    organisation's own map is a star around it; its hub is the worst case of brokerage and local bridges)."""
    rnd = random.Random(seed)
    sectors = list(Sector)
    weights = [30, 30, 20, 10, 5, 5]
    nodes = [Element(f"Element {i}", sector=rnd.choices(sectors, weights)[0]) for i in range(elements)]
    hubs = rnd.sample(range(elements), max(1, elements // 100))
    seen: set[tuple[int, int]] = set()
    ties = []
    if centre:
        for b in range(1, min(elements, connections + 1)):
            seen.add((0, b))
            ties.append(Connection(nodes[0].label, nodes[b].label, Direction.MUTUAL))
    while len(ties) < connections:
        a = rnd.choice(hubs) if rnd.random() < 0.1 else rnd.randrange(elements)
        b = (a // 50) * 50 + rnd.randrange(50) if rnd.random() < 0.8 else rnd.randrange(elements)
        b = min(b, elements - 1)
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        direction = rnd.choice([Direction.DIRECTED, Direction.DIRECTED, Direction.MUTUAL, Direction.UNDIRECTED])
        ties.append(Connection(nodes[a].label, nodes[b].label, direction, since=date(2020 + rnd.randrange(6), 1, 1)))
    return Network(tuple(nodes), tuple(ties))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elements", type=int, default=5_000)
    parser.add_argument("--connections", type=int, default=50_000)
    parser.add_argument("--page-elements", type=int, default=500)
    parser.add_argument("--centre", action="store_true", help="one element tied both ways to every other")
    args = parser.parse_args()
    network = generate(args.elements, args.connections, centre=args.centre)
    day = date(2026, 12, 1)
    g = m.graphs(network.at(day))
    timings = {}
    for name, run in (
        ("graphs", lambda: m.graphs(network.at(day))),
        ("betweenness", lambda: m.betweenness(g)),
        ("constraint", lambda: m.constraint(g)),
        ("effective size", lambda: m.effective_size(g)),
        ("brokerage", lambda: m.brokerage(g)),
        ("removal impact", lambda: m.removal_impact(g)),
        ("cut points", lambda: m.cut_points(g)),
        ("local bridges", lambda: m.local_bridges(g)),
    ):
        start = time.perf_counter()
        run()
        timings[name] = time.perf_counter() - start
    start = time.perf_counter()
    result = m.measure(network, day)
    whole = time.perf_counter() - start
    s = result.summary
    print(f"map: {s.elements:,} elements, {s.connections:,} connections, {s.ties:,} distinct ties")
    for name, seconds in timings.items():
        print(f"  {name:<16} {seconds:6.2f} s")
    sampled = f"sampled from {s.betweenness_sampled_from} sources" if s.betweenness_sampled_from else "exact"
    print(f"every measure (measure()): {whole:.2f} s (betweenness {sampled}); target under 10 s on two cores")
    start = time.perf_counter()
    data = kumu.write_workbook(network)
    written = time.perf_counter() - start
    start = time.perf_counter()
    kumu.read_workbook(data)
    read = time.perf_counter() - start
    print(f"Kumu workbook: written {written:.2f} s, read {read:.2f} s ({len(data) / 1e6:.1f} MB)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    page(args.page_elements)


def page(elements: int, requests: int = 20) -> None:
    """The map page of one organisation with `elements` elements and five times as many connections, requested
    `requests` times by its editor through Django's test client (no network, one process)."""
    import os
    import statistics
    import tempfile

    var = tempfile.mkdtemp(prefix="kil-connections-bench-")
    os.environ["KIL_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from keepitlocal.accounts.models import Role, User
    from keepitlocal.connections import services
    from keepitlocal.network.models import Organisation

    organisation = Organisation.objects.create(name="Element 0")
    user = User.objects.create_user("bench@example.org", "a-long-bench-password")
    Role.objects.create(user=user, kind=Role.Kind.ORGANISATION_EDITOR, organisation=organisation)
    cmap = services.map_for(organisation)
    services.import_network(cmap, generate(elements, elements * 5, seed=2), None)
    client = Client()
    client.force_login(user)
    url = f"/manage/organisations/{organisation.pk}/map/"
    assert client.get(url).status_code == 200  # templates compiled, as in a running server
    # An edit moves the map's updated_at: the next view measures the map again.
    from django.utils import timezone

    from keepitlocal.connections.models import ConnectionMap

    firsts = []
    for _ in range(3):
        ConnectionMap.objects.filter(pk=cmap.pk).update(updated_at=timezone.now())
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        firsts.append((time.perf_counter() - start) * 1000)
    first = statistics.median(firsts)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(
        f"map page, {elements} elements and {elements * 5:,} connections: p50 {statistics.median(times):.0f} ms, "
        f"p95 {p95:.0f} ms over {requests} requests; target under 300 ms (first view after a change, measuring the map: "
        f"{first:.0f} ms)"
    )


if __name__ == "__main__":
    main()
