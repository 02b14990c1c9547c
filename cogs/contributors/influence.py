"""Influence: PageRank over the weighted interaction graph of a community.

An edge goes from the member who replied, mentioned, reacted or thanked to the member they
engaged with, weighted by kind (thanks and replies weigh most, reactions least). A member ranks
high when many members, themselves engaged with, answer and thank them; reacting to everyone
adds nothing to one's own rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cogs.contributors.config import InfluenceConfig
from cogs.contributors.standings import Edge


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
    """Members others engaged with, most influential first (CPU-bound: run it in a thread)."""
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
    ranks = nx.pagerank(graph, alpha=weights.damping, weight="weight")
    found = [
        Influence(user_id, float(ranks[user_id]), len(engaged))
        for user_id, engaged in sources.items()
    ]
    return sorted(found, key=lambda item: (-item.rank, item.user_id))
