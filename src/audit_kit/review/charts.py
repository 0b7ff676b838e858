"""Charts (matplotlib) in Chinese, as Figure objects outside pyplot (shown once, where displayed).

The CJK font ships with the package dependency ``noto-cjk-sans-otc``
and is registered here, so glyphs render on a fresh machine whatever fonts the system has."""

from __future__ import annotations

from functools import cache

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..model import forms as tpl
from ..vocabulary import Severity, Status

TREND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22"]
SEVERITY_COLOURS = {Severity.ERROR: "#c0392b", Severity.WARNING: "#e67e22", Severity.INFO: "#2980b9"}


@cache
def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK font and make it matplotlib's sans-serif font; returns its name."""
    from noto_cjk_sans_otc import FONT_PATH

    font_manager.fontManager.addfont(str(FONT_PATH))
    name = font_manager.FontProperties(fname=str(FONT_PATH)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _margins(fig: Figure, left: float, bottom: float, top: float, right: float = 0.2) -> None:
    """Fixed margins in inches, for the charts every memo draws, whose labels are short and known: a third
    cheaper than ``tight_layout``, which lays every label out once more to measure it."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def fails_by_check(results: pd.DataFrame, title: str = "各项检查不通过的数量") -> Figure:
    """Horizontal bars: fails per check id, coloured by severity."""
    use_cjk_font()
    fails = results[results["status"] == Status.FAIL]
    counts = fails.groupby(["check_id", "severity"]).size().reset_index(name="n").sort_values("n")
    fig = Figure(figsize=(7, max(2.0, 0.35 * len(counts) + 1)))
    ax = fig.subplots()
    if counts.empty:
        ax.text(0.5, 0.5, "没有不通过的检查", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        ax.barh(counts["check_id"], counts["n"], color=[SEVERITY_COLOURS[s] for s in counts["severity"]])
        ax.set_xlabel("不通过的条数")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 ticks
        handles = [Rectangle((0, 0), 1, 1, color=c) for c in SEVERITY_COLOURS.values()]
        ax.legend(handles, [s.zh for s in SEVERITY_COLOURS], loc="lower right")
    ax.set_title(title)
    _margins(fig, left=0.75, bottom=0.6, top=0.45)  # check ids (≤ 5 characters) on the left
    return fig


def outcomes(report_cells: pd.DataFrame, title: str = "表三 办理结果（总计列）") -> Figure:
    """Bars of the 表三 outcome groups (总计 column): 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理."""
    use_cjk_font()
    cells = report_cells.astype({"table": str, "row": str, "col": str})  # no cells read: an empty float frame
    c = cells[(cells["table"] == "t3") & (cells["col"] == "total")]
    heads = c["row"].str.split(".").str[0]
    values = {name: float(c[heads == group]["value"].fillna(0).sum())
              for group, (_printed, name) in tpl.outcome_groups("2021").items()}
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    ax.bar(list(values), list(values.values()), color="#34495e")
    ax.set_ylabel("件数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not any(values.values()):  # an all-zero year (or no 表三): say so instead of an axis around 0
        ax.set_ylim(0, 1)
        ax.text(0.5, 0.6, "各项办理结果均为 0 或未读到", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title)
    _margins(fig, left=0.75, bottom=0.45, top=0.45)  # six short names below, counts on the left
    return fig


def indicator_changes(indicators: pd.DataFrame, title: str = "主要指标与上年对比") -> Figure:
    """Grouped bars: each ratio indicator this year and last year (rates only, as percentages)."""
    use_cjk_font()
    rates = indicators[indicators["indicator"].str.endswith("_rate")]
    fig = Figure(figsize=(8, 3.2))
    ax = fig.subplots()
    x = range(len(rates))
    ax.bar([i - 0.2 for i in x], rates["value"].fillna(0) * 100, width=0.4, label="本年", color="#2c3e50")
    ax.bar([i + 0.2 for i in x], rates["prior_value"].fillna(0) * 100, width=0.4, label="上年", color="#95a5a6")
    ax.set_xticks(list(x), list(rates["name"]), rotation=20)
    ax.set_ylabel("%")
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def trend(table: pd.DataFrame, jumps: list, title: str = "历年主要指标") -> Figure:
    """Two panels over the years the workspace holds: the counts (lines) with each jump drawn in red and
    labelled, and the rates as percentages. ``table`` and ``jumps`` come from :mod:`audit_kit.review.trend`."""
    use_cjk_font()
    fig = Figure(figsize=(9, 3.4 + 0.15 * len(jumps)))
    left, right = fig.subplots(1, 2)
    years = sorted({int(y) for y in table["year"]})
    for ax, kind, scale, label in ((left, "count", 1, "件数"), (right, "rate", 100, "%")):
        ax.set_prop_cycle(color=TREND_COLOURS)  # no red: red marks the jumps
        part = table[table["kind"] == kind]
        for (_code, name), rows in part.groupby(["indicator", "name"], sort=False):
            rows = rows.sort_values("year")
            if rows["value"].notna().any():
                ax.plot(rows["year"], rows["value"] * scale, marker="o", label=name)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylabel(label)
        ax.yaxis.set_major_locator(MaxNLocator(integer=kind == "count"))
        if ax.lines:
            ax.legend(fontsize=7, loc="upper left")
    red = SEVERITY_COLOURS[Severity.ERROR]
    for j in jumps:
        left.plot([j.from_year, j.to_year], [j.before, j.after], color=red, linewidth=3, linestyle="--")
    if jumps:  # named under the panel, where no line can cover them
        left.set_xlabel("\n".join(f"跳变：{j.name} {j.from_year}→{j.to_year}" for j in jumps), color=red, fontsize=8)
    left.set_title("数量（红色：请核对的跳变）", fontsize=10)
    right.set_title("比率", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (for notebooks and memos; no display backend needed)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def image(fig: Figure):
    """The figure for ``display()`` in a notebook: shown once, as a PNG."""
    from IPython.display import Image

    return Image(png(fig))
