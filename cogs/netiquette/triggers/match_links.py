"""``match_links``: links to domains that are denied, or not allowed.

A link is an address with ``http(s)://`` or ``www.``, or a bare domain with a common top-level
domain (``example.com``; not ``Merci.Ca va``, two sentences missing a space). Subdomains count
as their domain (``cdn.example.com`` is ``example.com``). With ``allow`` listed, every other
domain fires; ``deny`` fires on its own.
Links hidden behind a message's words (a Telegram text link) count as written ones.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from bot.ruleconf.errors import RuleValueError
from cogs.netiquette.regexes import compile_pattern
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)

_COMMON_TLDS = (
    "com|net|org|io|gg|me|fr|be|ch|ca|uk|de|ru|xyz|ly|co|info|biz|app|dev|link|tk|ml|ga|cf|gq|"
    "top|site|online|live|shop|click|store|tv|cc|to|us|eu|in|su|pw|ws|art|vip"
)
_LINK = compile_pattern(
    r"(?:https?://|www\.)((?:[\pL\pN-]+\.)+[\pL]{2,63})"
    rf"|(?:^|[^\pL\pN.@/])((?:[\pL\pN-]+\.)+(?:{_COMMON_TLDS}))(?:[^\pL\pN-]|$)"
)
MAX_LINKS_CHECKED = 50


def _domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("https://").removeprefix("http://")
    domain = domain.removeprefix("www.").split("/", 1)[0]
    if not domain or "." not in domain:
        raise RuleValueError(
            {
                "en": f"{value!r} is not a domain; write e.g. example.com",
                "fr": f"{value!r} n'est pas un nom de domaine ; écrivez par ex. example.com",
            }
        )
    return domain


Domain = Annotated[str, Field(min_length=3, max_length=253), AfterValidator(_domain)]


def links_in(text: str) -> list[str]:
    """The domains ``text`` links to, in order (at most a few dozen)."""
    domains = []
    for found in _LINK.finditer(text):
        bare = found.group(2)
        if bare is not None and _sentence_start(bare):
            continue
        domain = (found.group(1) or bare or "").lower().removeprefix("www.")
        if domain:
            domains.append(domain)
        if len(domains) >= MAX_LINKS_CHECKED:
            break
    return domains


def _sentence_start(bare: str) -> bool:
    """Whether a bare domain is rather two sentences with no space after the full stop
    (``Merci.Ca va``, ``I agree.To be honest``): its last part is a capitalised word."""
    last = bare.rsplit(".", 1)[-1]
    return last[:1].isupper() and last[1:].islower()


def covers(domains: list[str], domain: str) -> bool:
    """Whether ``domain`` is one of ``domains`` or a subdomain of one."""
    return any(domain == listed or domain.endswith("." + listed) for listed in domains)


class MatchLinksConfig(TriggerConfig):
    """Which link domains are welcome."""

    allow: list[Domain] | None = None
    """Only these domains (and their subdomains) may be linked; ``null``: any not denied."""
    deny: list[Domain] = Field(default_factory=list)
    """These domains may never be linked."""


class MatchLinks(Trigger):
    """Fires on the first link to a denied, or not allowed, domain."""

    name = "match_links"
    config_model = MatchLinksConfig

    def check(
        self, config: MatchLinksConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Look at each link of the message, those hidden behind its words included."""
        domains = links_in(subject.link_text)
        for domain in domains:
            if covers(config.deny, domain):
                return TriggerResult.hit("links_denied", domain=domain)
            if config.allow is not None and not covers(config.allow, domain):
                return TriggerResult.hit("links_not_allowed", domain=domain)
        if not evidence.explain:
            return MISSED
        return TriggerResult.miss("links_none_forbidden" if domains else "links_none")


TRIGGER = MatchLinks()
