"""Answers written for a person: short, scannable, with dates and refs to follow up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cqc_ledger.events.vocabulary import QUESTIONS

_WIDTH = 18


def since_words(value: dict[str, Any]) -> str:
    """'since 2015-12-02, last published 2017-06-20': how long the rating has stood, and when it
    was last set (one day when the two are the same)."""
    run, last = value.get("unchanged_since") or value["since"], value["since"]
    return f"since {run}" if run == last else f"since {run}, last published {last}"


def _ratings_line(ratings: dict[str, Any], *, skip_overall: bool = False) -> str:
    parts = [_rating(q, ratings[q]) for q in QUESTIONS if q in ratings and not (skip_overall and q == "overall")]
    return ", ".join(parts)


def _rating(question: str, value: dict[str, Any]) -> str:
    """'safe Good (since 2019-05-01)', with 'inherited from RBA11' and 'inspected 2021-01-10 without a new rating' where so."""
    notes = []
    if value.get("inherited"):
        notes.append(f"inherited from {value['inherited_from']}" if value.get("inherited_from") else "inherited")
    if value.get("inspected_without_rating"):
        notes.append(f"inspected {value['inspected_without_rating']['on']} without a new rating")
    return f"{question} {value['rating']} ({'; '.join([since_words(value), *notes])})"


def _superseded_lines(superseded: list[dict[str, Any]], indent: str) -> Iterable[str]:
    for gone in superseded:
        by = f" by {', '.join(gone['by'])}" if gone["by"] else ""
        yield f"{indent}{gone['service']}: superseded on {gone['on']}{by} ({gone['ref']})"


def _headline(ratings: dict[str, Any]) -> str:
    overall = ratings.get("overall")
    return f"{overall['rating']} {since_words(overall)} ({overall['ref']})" if overall else "no rating"


def status_text(doc: dict[str, Any]) -> str:
    """The status document of `status --json`, as a person reads it."""
    lines = [
        f"{doc['name']} ({doc['provider_id']})",
        f"  at {doc['at']}, as the ledger knew it at {doc['known_at']}",
    ]
    if doc["deregistered"]:
        gone = doc["deregistered"]
        successor = f", succeeded by {gone['successor_id']}" if gone["successor_id"] else ""
        lines.append(f"  deregistered on {gone['on']}{successor}")
    lines.append("")
    lines.append(f"{'Overall':<{_WIDTH}}{_headline(doc['ratings'])}")
    others = _ratings_line(doc["ratings"], skip_overall=True)
    if others:
        lines.append(f"{'Key questions':<{_WIDTH}}{others}")
    regimes = ", ".join(f"{sm['regime']} since {sm['since']} ({sm['ref']})" for sm in doc["special_measures"])
    lines.append(f"{'Special measures':<{_WIDTH}}{regimes or 'none'}")
    if doc["oversight"]:
        o = doc["oversight"]
        lines.append(f"{'Oversight':<{_WIDTH}}{o['framework']} segment {o['segment']} since {o['since']}")
    lines.extend(_notice_lines(doc["warning_notices"]))
    inspection, report = doc["last_inspection"], doc["last_report"]
    if inspection:
        until = f" to {inspection['until']}" if inspection.get("until") else ""
        kind = f"{inspection['kind']} " if inspection.get("kind") else ""
        lines.append(f"{'Last inspection':<{_WIDTH}}{kind}{inspection['on']}{until} ({inspection['ref']})")
    if report:
        lines.append(f"{'Last report':<{_WIDTH}}{report['report_id']} published {report['on']} ({report['ref']})")
    lines.extend(_place_lines(doc))
    return "\n".join(lines)


def _notice_lines(notices: list[dict[str, Any]]) -> Iterable[str]:
    if not notices:
        yield f"{'Warning notices':<{_WIDTH}}none"
        return
    for i, n in enumerate(notices):
        label = "Warning notices" if i == 0 else ""
        deadline = f", deadline {n['deadline']}" if n["deadline"] else ""
        closed = f" on {n['closed_on']}" if n["closed_on"] else ""
        yield f"{label:<{_WIDTH}}{n['notice_id']} (s{n['section']}) issued {n['issued_on']}{deadline}: {n['status']}{closed}"


def _place_lines(doc: dict[str, Any]) -> Iterable[str]:
    """The locations in force, then (under their own heading) those deregistered by the day."""
    in_force = [loc for loc in doc["locations"] if not loc["deregistered_on"]]
    gone = [loc for loc in doc["locations"] if loc["deregistered_on"]]
    yield from _location_lines(in_force)
    if gone:
        yield ""
        yield f"Deregistered locations ({len(gone)})"
        yield from _location_lines(gone)
    if doc["services"] or doc.get("superseded_services"):
        yield ""
        yield "Services"
        for service in doc["services"]:
            yield f"  {service['service']}: {_ratings_line(service['ratings'])}"
        yield from _superseded_lines(doc.get("superseded_services", []), "  ")


def _location_lines(locations: list[dict[str, Any]]) -> Iterable[str]:
    for location in locations:
        yield ""
        gone = f", deregistered {location['deregistered_on']}" if location["deregistered_on"] else ""
        yield f"{location['location_id']} {location['name'] or ''}{gone}".rstrip()
        if location["ratings"]:
            yield f"  {_ratings_line(location['ratings'])}"
        elif not location["services"]:
            yield "  no rating"
        for service in location["services"]:
            yield f"  {service['service']}: {_ratings_line(service['ratings'])}"
        yield from _superseded_lines(location.get("superseded_services", []), "  ")


def entries_text(docs: Iterable[dict[str, Any]]) -> str:
    """One line per entry: ref, recording time, type, day, and its main facts."""
    lines = []
    for doc in docs:
        facts = {k: v for k, v in doc.items() if k not in ("ref", "recorded_at", "type", "provider_id", "on", "source")}
        on = doc.get("on", "")
        lines.append(f"{doc['ref']:<10} {doc['recorded_at']}  {on:<10}  {doc['type']}  {_brief(facts)}".rstrip())
    return "\n".join(lines)


def _brief(facts: dict[str, Any]) -> str:
    parts = []
    for key, value in facts.items():
        if key == "ratings":
            parts.append(f"{len(value)} rating{'s' if len(value) != 1 else ''}")
        elif isinstance(value, (list, dict)):
            continue
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def record_text(recorded: list[str], duplicates: dict[int, str], *, done: str = "Recorded") -> str:
    """What `record` (or `restore`: `done`) did: the refs it recorded and the lines it found
    already recorded."""
    lines = [f"{done} {len(recorded)} entr{'y' if len(recorded) == 1 else 'ies'}{_ref_ranges(recorded)}."]
    if duplicates:
        shown = ", ".join(f"line {n} ({ref})" for n, ref in list(duplicates.items())[:10])
        more = f" and {len(duplicates) - 10} more" if len(duplicates) > 10 else ""
        lines.append(f"Already recorded, skipped: {len(duplicates)}: {shown}{more}.")
    return "\n".join(lines)


def _ref_ranges(refs: list[str]) -> str:
    """': RWP/1-28, RX9/1-12' for the refs recorded, grouped by provider."""
    if not refs:
        return ""
    spans: dict[str, list[int]] = {}
    for ref in refs:
        provider_id, _, position = ref.rpartition("/")
        spans.setdefault(provider_id, []).append(int(position))
    parts = []
    for provider_id, positions in list(spans.items())[:_SHOWN]:
        low, high = min(positions), max(positions)
        parts.append(f"{provider_id}/{low}" if low == high else f"{provider_id}/{low}-{high}")
    more = len(spans) - _SHOWN
    return ": " + ", ".join(parts) + (f" and {more} more provider{'s' if more != 1 else ''}" if more > 0 else "")


_SHOWN = 8


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


def history_text(changes: list[dict[str, Any]]) -> str:
    """Each entry in effect order, with the cells it changed indented beneath it."""
    lines = []
    for c in changes:
        lines.append(f"{c['on']}  {c['ref']:<8} {c['summary']}{' [retracted]' if c.get('retracted') else ''}")
        for mend in c.get("mended_by", []):
            done = "retracted" if mend["type"] == "EntryRetracted" else "corrected"
            lines.append(f"{'':<22}{done} by {mend['ref']} at {mend['recorded_at']}: {mend['reason']}")
        for change in c["changes"]:
            if change.get("kind", "rating") in ("rating", "inheritance"):
                where = " ".join(p for p in (change["location_id"], change["service"]) if p) or "trust"
                inherited = " (inherited)" if change.get("kind") == "inheritance" else ""
                was, now = change["from"] or "no rating", change["to"] or "no rating"
                lines.append(f"{'':<22}{where} {change['question']}: {was} -> {now}{inherited}")
    return "\n".join(lines) if lines else "No changes in that period."
