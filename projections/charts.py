"""Charts as Vega-Lite specifications (built with Altair) and the files drawn from them.

Drawing needs the optional extra `charts` (Altair and vl-convert-python): everything is drawn
in this process, without a browser or the network, and the same specification gives the same
bytes every time. The specification itself is plain data: `timeline_spec` and `counts_spec`
return dicts, which the web pages hand to the Vega-Lite JavaScript the package serves.
"""

from __future__ import annotations

from typing import Any

import orjson

from cqc_ledger.ledger.errors import MissingExtra
from cqc_ledger.projections.timeline import NO_RATING, Timeline, timeline_json
from cqc_ledger.projections.trusts import EVERY_PROVIDER, Filters

# CQC's own colours for the four ratings; greys where there is no rating to show.
RATING_COLOURS = {
    "Outstanding": "#00856a",
    "Good": "#6ab023",
    "Requires improvement": "#f5a623",
    "Inadequate": "#d0021b",
    "Not rated": "#c8c8c8",
    "Inspected but not rated": "#b4b4b4",
    "Insufficient evidence to rate": "#a0a0a0",
    NO_RATING: "#e6e6e6",
}
SPECIAL_MEASURES = "#8b0000"
NOTICE = "#3d3d3d"
OVERSIGHT = "#5b6abf"
FORMATS = (".svg", ".png", ".html", ".json")
_ROW_HEIGHT = 22
_WIDTH = 760


def altair() -> Any:
    """The Altair module, or a MissingExtra error that says how to install it."""
    try:
        import altair as alt
    except ImportError:
        raise MissingExtra("charts need the optional extra `charts`: pip install 'cqc-ledger[charts]'") from None
    return alt


def timeline_spec(found: Timeline) -> dict[str, Any]:
    """The Vega-Lite specification of a provider's timeline: a band per rating cell, coloured by
    rating; special measures shaded behind and on rows of their own; each warning notice from
    issue to outcome; the oversight segments; a line on each report day."""
    alt = altair()
    data = timeline_json(found)
    rows = [*data["rows"], *_rows_of(data["special_measures"]), *_rows_of(data["warning_notices"]), *_rows_of(data["oversight"])]
    x = alt.X("start:T", title=None, scale=alt.Scale(type="utc", domain=[data["from"], data["to"]]), axis=alt.Axis(grid=False))
    y = alt.Y("row:N", title=None, scale=alt.Scale(domain=rows), axis=alt.Axis(labelLimit=260))
    tooltip = [alt.Tooltip("row:N", title="row"), alt.Tooltip("value:N", title="value"), "start:N", "end:N", "ref:N"]

    def layer(values: list[dict[str, Any]]) -> Any:
        return alt.Chart(alt.Data(values=values))

    layers = []
    colours = alt.Scale(domain=list(RATING_COLOURS), range=list(RATING_COLOURS.values()))
    layers.append(
        layer(data["ratings"])
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="end:T",
            y=y,
            color=alt.Color("value:N", title="Rating", scale=colours, legend=alt.Legend(orient="bottom", columns=4)),
            tooltip=tooltip,
        )
    )
    if data["special_measures"]:  # shaded across every row, over the ratings
        layers.append(layer(data["special_measures"]).mark_rect(color=SPECIAL_MEASURES, opacity=0.12).encode(x=x, x2="end:T"))
    for key, colour in (("special_measures", SPECIAL_MEASURES), ("warning_notices", NOTICE), ("oversight", OVERSIGHT)):
        if data[key]:
            bars = layer(data[key]).encode(x=x, x2="end:T", y=y, tooltip=tooltip)
            layers.append(bars.mark_rect(color=colour, opacity=0.75, stroke="white", strokeWidth=1))
            layers.append(bars.mark_text(align="left", baseline="middle", dx=3, fontSize=9, color="white").encode(text="value:N"))
    if data["reports"]:
        reports = layer(data["reports"]).mark_rule(color="black", strokeDash=[3, 2], opacity=0.7)
        layers.append(reports.encode(x=alt.X("on:T", scale=alt.Scale(type="utc")), tooltip=["report_id:N", "on:N", "ref:N"]))
    title = f"{data['name'] or data['provider_id']} ({data['provider_id']}): {data['from']} to {data['to']}"
    chart = alt.layer(*layers).properties(title=title, width=_WIDTH, height=_ROW_HEIGHT * len(rows))
    return _plain(chart)


def counts_spec(series: list[dict[str, Any]], *, title: str = "Providers on the register") -> dict[str, Any]:
    """The Vega-Lite specification of a register series (`counts --json`): for each period, the
    providers stacked by value (a rating, a regime of special measures, a segment). A value no
    period counts is left out, and so is `any` regime: stacked on the regimes it would count
    them twice."""
    alt = altair()
    values = [
        {"at": row["at"], "value": key, "count": count}
        for row in series
        for key, count in row.items()
        if key not in _NOT_STACKED and isinstance(count, int) and not isinstance(count, bool)
    ]
    held = {v["value"] for v in values if v["count"]}  # a value never counted stays out of the legend
    values = [v for v in values if v["value"] in held]
    order = [
        *(r for r in RATING_COLOURS if any(v["value"] == r for v in values)),
        *sorted({v["value"] for v in values} - set(RATING_COLOURS)),
    ]
    values.sort(key=lambda v: (v["at"], order.index(v["value"])))  # the same whatever order the rows' keys are in
    colour = alt.Scale(domain=order, range=[_colour(v, i) for i, v in enumerate(order)])
    bar = max(1, _WIDTH * 4 // (5 * max(1, len(series))))  # each bar 4/5 of its period's width
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(size=bar)
        .encode(
            x=alt.X("at:T", title=None, scale=alt.Scale(type="utc", padding=bar // 2 + 2)),  # the end bars inside the axes
            y=alt.Y("count:Q", title="providers", stack="zero", axis=alt.Axis(format="d", tickCount=min(10, _tallest(values)))),
            color=alt.Color("value:N", title=None, scale=colour, sort=order, legend=alt.Legend(orient="bottom")),
            order=alt.Order("rank:Q"),
            tooltip=["at:N", "value:N", "count:Q"],
        )
        .transform_calculate(rank=f"indexof({orjson.dumps(order).decode()}, datum.value)")
        .properties(title=title, width=_WIDTH, height=320)
    )
    return _plain(chart)


def counts_title(series: list[dict[str, Any]], *, by: str, question: str, every: str, filters: Filters = EVERY_PROVIDER) -> str:
    """The counts chart's title: what is counted, over which days, and which providers."""
    what = {"rating": f"trust-level {question} rating", "special-measures": "special-measures regime"}.get(by, "oversight segment")
    kept = ", ".join(w for w in (filters.provider_type, filters.region, filters.rating and f"rated {filters.rating}") if w)
    first, last = (series[0]["at"], series[-1]["at"]) if series else ("", "")
    days = f", {first} to {last} (each {every}'s end)" if first != last else f" on {first}" if first else ""
    return f"Providers on the register{f' ({kept})' if kept else ''} by {what}{days}"


_NOT_STACKED = ("at", "providers", "any")
_NOT_A_VALUE = RATING_COLOURS[NO_RATING]  # "no rating", "no segment": grey, as the timeline's empty bands


def _tallest(values: list[dict[str, Any]]) -> int:
    """The most providers stacked in one period (at least 1): no more ticks than whole numbers."""
    totals: dict[str, int] = {}
    for v in values:
        totals[v["at"]] = totals.get(v["at"], 0) + v["count"]
    return max([1, *totals.values()])


def _colour(value: str, index: int) -> str:
    if value in RATING_COLOURS:
        return RATING_COLOURS[value]
    return _NOT_A_VALUE if value.startswith("no ") else _OTHER[index % len(_OTHER)]


_OTHER = ("#5b6abf", "#8b0000", "#2b8cbe", "#7b3294", "#fdae61", "#1a9850", "#636363")


def _rows_of(bands: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(b["row"] for b in bands))


def _plain(chart: Any) -> dict[str, Any]:
    """The chart as a specification: a dict of plain JSON values, keys in a stable order."""
    return orjson.loads(orjson.dumps(chart.to_dict(), option=orjson.OPT_SORT_KEYS))


def drawn(spec: dict[str, Any], suffix: str) -> bytes:
    """The chart drawn as `suffix` says: `.svg`, `.png`, `.html` (with its JavaScript inside,
    nothing fetched) or `.json` (the specification)."""
    if suffix == ".json":
        return orjson.dumps(spec, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    try:
        import vl_convert as vlc
    except ImportError:
        raise MissingExtra("drawing charts needs the optional extra `charts`: pip install 'cqc-ledger[charts]'") from None
    if suffix == ".svg":
        return vlc.vegalite_to_svg(spec, allowed_base_urls=[]).encode()
    if suffix == ".png":
        return vlc.vegalite_to_png(spec, scale=2, allowed_base_urls=[])
    return vlc.vegalite_to_html(spec, bundle=True).encode()
