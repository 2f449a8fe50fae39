"""`trusts`: every provider's headline on a day, as JSON rows (the CSV columns too) and as a table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cqc_ledger.projections.status import Status
from cqc_ledger.projections.trusts import TRUST_OVERALL

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
)


def trusts_json(statuses: Iterable[Status], at: date | None) -> list[dict[str, Any]]:
    """`trusts --json`: one row (`headline`, aged on `at`) per provider, in the order given."""
    return [_aged(headline(s), at) for s in statuses]


def headline(status: Status) -> dict[str, Any]:
    """`{"provider_id", "name", "overall", "in_special_measures", "open_warning_notices"}`, plus
    the regimes in force, the day the overall was last set and the first day of its unbroken run."""
    overall = status.cells.get(TRUST_OVERALL)
    return {
        "provider_id": status.provider_id,
        "name": status.name,
        "overall": overall.rating if overall else None,
        "overall_since": overall.since.isoformat() if overall else None,
        "overall_unchanged_since": overall.unchanged_since.isoformat() if overall else None,
        "in_special_measures": bool(status.special_measures),
        "special_measures": sorted(status.special_measures),
        "open_warning_notices": sum(1 for n in status.notices.values() if n.status == "open"),
        "provider_type": status.provider_type,
        "region": status.region,
        "segment": status.oversight.value if status.oversight else None,
        "deregistered_on": status.deregistered.since.isoformat() if status.deregistered else None,
        "successor_id": status.deregistered.value if status.deregistered else None,
    }


def _aged(row: dict[str, Any], at: date | None) -> dict[str, Any]:
    """The row with `unchanged_since` (the overall's unbroken run began that day) and `age_days`
    (how many days it has held on the day asked)."""
    run = row["overall_unchanged_since"]
    row["unchanged_since"] = run
    row["age_days"] = (at - date.fromisoformat(run)).days if run and at else None
    return row


def trusts_text(rows: list[dict[str, Any]], at: Any) -> str:
    """One line per provider: id, overall, the day it came to be so and its age in days, special
    measures, open notices, name."""
    if not rows:
        return f"No provider matches at {at}."
    lines = [f"{'provider':<9} {'overall':<22} {'unchanged since':<16} {'days':>5}  {'special measures':<17} {'open notices':<13} name"]
    for r in rows:
        regimes = ", ".join(r["special_measures"]) or "-"
        run, age = r.get("unchanged_since") or "-", r.get("age_days")
        lines.append(
            f"{r['provider_id']:<9} {r['overall'] or 'no rating':<22} {run:<16} {'-' if age is None else age:>5}  "
            f"{regimes:<17} {r['open_warning_notices']:<13} {r['name']}{_deregistration(r)}"
        )
    lines.append(f"{len(rows)} provider{'s' if len(rows) != 1 else ''} at {at}.")
    return "\n".join(lines)


def _deregistration(row: dict[str, Any]) -> str:
    """` (deregistered DAY, successor ID)` for a provider no longer on the register, else nothing."""
    if not row.get("deregistered_on"):
        return ""
    successor = f", successor {row['successor_id']}" if row.get("successor_id") else ""
    return f" (deregistered {row['deregistered_on']}{successor})"
