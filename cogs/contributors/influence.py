"""Influence: PageRank over the weighted interaction graph of a community.

An edge goes from the member who replied, mentioned, reacted or thanked to the member they
engaged with, weighted by kind (thanks and replies weigh most, reactions least). A member ranks
high when many members, themselves engaged with, answer and thank them; reacting to everyone
adds nothing to one's own rank.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import JardinierError
from cogs.contributors.config import InfluenceConfig
from cogs.contributors.standings import Edge

PRECISION = 1e-9
"""How far below its start PageRank's error must fall, at worst: each iteration multiplies
the error by the damping, so this bounds the iterations a damping needs."""

MOST_ITERATIONS = 100_000
"""Iterations never exceeded: a damping so close to 1 that it needs more (above 0.9998) would
keep a thread busy for hours; PageRank then fails, as :class:`InfluenceConvergenceError`."""


class InfluenceConvergenceError(JardinierError):
    """PageRank did not converge within :data:`MOST_ITERATIONS` (a damping too close to 1):
    /influencers answers what to change, the shout-out goes without its influencer line."""


def iterations(damping: float) -> int:
    """The iterations PageRank may need to converge with ``damping`` (networkx's default of 100
    is too few for a damping near 1: the error shrinks by the damping at each one)."""
    return min(MOST_ITERATIONS, max(100, math.ceil(math.log(PRECISION) / math.log(damping))))


@dataclass(frozen=True)
class Influence:
    """A member's share of the community's attention, and how many members engaged with them."""

    user_id: str
    rank: float
    engaged: int


def influence(
    interactions: Iterable[Edge],
    weights: InfluenceConfig,
    *,
    excluded: set[str] | frozenset[str] = frozenset(),
) -> list[Influence]:
    """Members others engaged with, most influential first (CPU-bound: run it in a thread).

    Raises :class:`InfluenceConvergenceError` for a damping too close to 1 (see
    :data:`MOST_ITERATIONS`)."""
    # Imported on first use: networkx (and the numpy and scipy its PageRank needs) would
    # otherwise weigh on every bot's memory, most of which never ask for influence.
    import networkx as nx

    graph = nx.DiGraph()
    sources: dict[str, set[str]] = defaultdict(set)
    for edge in interactions:
        if edge.source == edge.target or excluded & {edge.source, edge.target}:
            continue
        weight = float(getattr(weights, edge.kind, 0.0)) * edge.count
        if weight <= 0:
            continue
        previous = graph.get_edge_data(edge.source, edge.target, {"weight": 0.0})["weight"]
        graph.add_edge(edge.source, edge.target, weight=previous + weight)
        sources[edge.target].add(edge.source)
    if graph.number_of_nodes() == 0:
        return []
    max_iter = iterations(weights.damping)
    try:
        ranks = nx.pagerank(graph, alpha=weights.damping, weight="weight", max_iter=max_iter)
    except nx.PowerIterationFailedConvergence as error:
        raise InfluenceConvergenceError(
            f"PageRank did not converge in {max_iter} iterations with a damping of "
            f"{weights.damping}: lower influence.damping in contributors.yaml"
        ) from error
    found = [
        Influence(user_id, float(ranks[user_id]), len(engaged))
        for user_id, engaged in sources.items()
    ]
    return sorted(found, key=lambda item: (-item.rank, item.user_id))
