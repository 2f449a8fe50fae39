"""`trusts`: every provider's headline on a day, as JSON rows (the CSV columns too) and as a table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cqc_ledger.projections.trusts import Headline

COLUMNS = (
    "provider_id",
    "name",
    "provider_type",
    "region",
    "overall",
    "overall_since",
    "overall_unchanged_since",
    "unchanged_since",
    "age_days",
    "in_special_measures",
    "special_measures",
    "open_warning_notices",
    "segment",
    "deregistered_on",
    "successor_id",
    "in_force",
)


def trusts_json(headlines: Iterable[Headline], at: date | None) -> list[dict[str, Any]]:
    """`trusts --json`: one row (`headline`, aged on `at`) per provider, in the order given. The
    days' ISO forms are kept for the rows after: thousands of providers share a few thousand
    days, and writing a day out cost a third of shaping a row."""
    shown: dict[date, str] = {}
    return [headline(h, at, shown) for h in headlines]


def headline(provider: Headline, at: date | None, shown: dict[date, str]) -> dict[str, Any]:
    """`{"provider_id", "name", "overall", "in_special_measures", "open_warning_notices"}`, plus
    the regimes in force, the day the overall was last set, the first day of its unbroken run
    (`overall_unchanged_since`, and again as `unchanged_since`) and how many days that run has
    held on `at` (`age_days`; of a provider deregistered by then, up to its deregistration), and
    its deregistration (`deregistered_on`, `successor_id`) from its own day: on the register
    through it, off it from the next (`in_force`, as `status` gives it). `shown` holds the ISO
    forms of the days written so far."""
    overall = provider.overall
    rating: str | None = None
    run: date | None = None
    shown_since: str | None = None
    shown_run: str | None = None
    if overall is not None:
        rating, run = overall.rating, overall.unchanged_since
        shown_since = shown.get(overall.since) or _iso(overall.since, shown)
        shown_run = shown.get(run) or _iso(run, shown)
    gone = provider.deregistered
    left = gone or provider.leaving
    ended = min(at, gone.since) if at and gone else at  # a deregistered provider's run ends with it
    return {
        "provider_id": provider.provider_id,
        "name": provider.name,
        "overall": rating,
        "overall_since": shown_since,
        "overall_unchanged_since": shown_run,
        "unchanged_since": shown_run,
        "age_days": (ended - run).days if run and ended else None,
        "in_special_measures": bool(provider.special_measures),
        "special_measures": list(provider.special_measures),
        "open_warning_notices": provider.open_notices,
        "provider_type": provider.provider_type,
        "region": provider.region,
        "segment": provider.segment,
        "deregistered_on": left.since.isoformat() if left else None,
        "successor_id": left.value if left else None,
        "in_force": gone is None,
    }


def _iso(day: date, shown: dict[date, str]) -> str:
    """The ISO form of `day`, kept in `shown` for the rows after."""
    found = shown[day] = day.isoformat()
    return found


# Beside a deregistered provider's special measures and open notices: they are as they stood on
# its deregistration day, no longer in force (the row's name says which day). On that day itself
# they are in force, and the name says it leaves the register after it (`LEAVING`, as `status`).
THEN = " (then)"
THEN_SAID = "(then): as it stood on the provider's deregistration day, no longer in force."
LEAVING = "off the register from the next day"


def trusts_text(rows: list[dict[str, Any]], at: Any) -> str:
    """One line per provider: id, overall, the day it came to be so and its age in days, special
    measures, open notices, name. A deregistered provider's special measures and open notices
    are marked as they stood then (`THEN`), said under the count; one deregistered on the day
    itself is on the register, and its name says it leaves it after the day."""
    if not rows:
        return f"No provider matches at {at}."
    lines = [f"{'provider':<9} {'overall':<22} {'unchanged since':<16} {'days':>5}  {'special measures':<17} {'open notices':<13} name"]
    marked = False
    for r in rows:
        then = THEN if _gone(r) else ""
        regimes = ", ".join(r["special_measures"]) + then if r["special_measures"] else "-"
        notices = f"{r['open_warning_notices']}{then}" if r["open_warning_notices"] else "0"
        marked = marked or (then != "" and (regimes != "-" or notices != "0"))
        run, age = r.get("unchanged_since") or "-", r.get("age_days")
        lines.append(
            f"{r['provider_id']:<9} {r['overall'] or 'no rating':<22} {run:<16} {'-' if age is None else age:>5}  "
            f"{regimes:<17} {notices:<13} {r['name']}{deregistration(r)}"
        )
    lines.append(_count(rows, at))
    if marked:
        lines.append(THEN_SAID)
    return "\n".join(lines)


def _count(rows: list[dict[str, Any]], at: Any) -> str:
    """How many providers are listed: those on the register apart from those deregistered by the day."""
    gone = sum(1 for r in rows if _gone(r))
    listed = len(rows) - gone
    count = f"{listed} provider{'s' if listed != 1 else ''}"
    return f"{count} on the register at {at}, {gone} deregistered by then." if gone else f"{count} at {at}."


def _gone(row: dict[str, Any]) -> bool:
    """Whether the row's provider was off the register on the row's day (deregistered before it):
    its `in_force`, the one decision the web register's template reads too."""
    return not row["in_force"]


def deregistration(row: dict[str, Any]) -> str:
    """` (deregistered DAY, successor ID)` for a provider no longer on the register on the row's day;
    ` (deregistered DAY, successor ID: off the register from the next day)` for one on its
    deregistration day; else nothing (the web register's search says it alike)."""
    if not row.get("deregistered_on"):
        return ""
    successor = f", successor {row['successor_id']}" if row.get("successor_id") else ""
    leaving = "" if _gone(row) else f": {LEAVING}"
    return f" (deregistered {row['deregistered_on']}{successor}{leaving})"
