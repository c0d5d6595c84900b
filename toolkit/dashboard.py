"""Dashboard cards: each feature app registers one provider from its AppConfig.ready().

The dashboard itself knows nothing of partner or incident tables; it asks each
area's selector for a Card, so apps stay independent of each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.models import Membership, Workgroup


class Progress:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ON_TRACK = "on_track"


@dataclass(frozen=True)
class Card:
    area: str
    title: str
    status: str
    progress: str
    start_url: str
    start_label: str
    guidance_slug: str
    facts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


CardProvider = Callable[..., Card]  # provider(workgroup=..., membership=...) -> Card

_PROVIDERS: list[tuple[int, str, CardProvider]] = []


def register_card(*, order: int, area: str, provider: CardProvider) -> None:
    if any(existing == area for _, existing, _ in _PROVIDERS):
        return  # ready() may run twice in some test set-ups
    _PROVIDERS.append((order, area, provider))
    _PROVIDERS.sort(key=lambda item: item[0])


def cards_for(*, workgroup: Workgroup, membership: Membership) -> list[Card]:
    return [provider(workgroup=workgroup, membership=membership) for _, _, provider in _PROVIDERS]
