"""Is the report given as last year's (``--prior``) really last year's report of the same agency?

Agency identity is compared as the store does (``agencies.identify``: the division the name, the declared
region or the report's own text gives, and, when a store is given, its alias table); the years must be N and
N−1. A mismatch is refused unless forced, and a forced pairing says so in its text (which the memo shows)."""

from __future__ import annotations

from pathlib import Path

from ..errors import PriorMismatchError
from ..model.agencies import Identity, identify
from ..model.report import Report
from .aliases import Aliases

FORCE_OPTION = "--force-prior"
FORCED = "并强制使用"  # in the pairing text of a forced prior


def _text(report: Report) -> str:
    return "\n".join([report.meta.get("title") or "", *(s.get("text", "") for s in report.sections.values())])


def identity(report: Report, aliases: Aliases | None = None, region: str = "") -> Identity:
    """A report's agency identity: the alias table when given, its name, the declared region, its own text."""
    name = report.meta.get("agency")
    if aliases is not None:
        return aliases.identity(name, report.report_id, region, lambda: _text(report))
    return identify(name, region, lambda: _text(report))


def store_aliases(store: str | Path | None) -> Aliases | None:
    """The alias table of a store folder, when there is one (nothing is created)."""
    path = Path(store) / "aliases.csv" if store else None
    return Aliases(path) if path is not None and path.is_file() else None


def problems(report: Report, prior: Report, aliases: Aliases | None = None, region: str = "") -> list[str]:
    """Why ``prior`` is not last year's report of ``report``'s agency, in Chinese (empty when it is)."""
    out = []
    year, prior_year = report.meta.get("report_year"), prior.meta.get("report_year")
    if year is None or prior_year is None:
        out.append(f"{'本报告' if year is None else '上年报告'}的年度未识别，无法确认是上一年度")
    elif prior_year != year - 1:
        out.append(f"上年报告是 {prior_year} 年度，本报告是 {year} 年度（应为 {year - 1} 年度）")
    name, prior_name = report.meta.get("agency"), prior.meta.get("agency")
    now, then = identity(report, aliases, region), identity(prior, aliases, region)
    key, prior_key = now.key, then.key
    if key is None or prior_key is None:
        which = now if key is None else then
        said = "机关名称未识别" if not which.ambiguous else f"机关名称的地区不能确定（{which.how}）"
        out.append(f"{'本报告' if key is None else '上年报告'}的{said}，无法确认是同一机关")
    elif key != prior_key:
        out.append(f"上年报告的机关“{prior_name}”与本报告“{name}”不是同一机关（归一后“{prior_key}”≠“{key}”）")
    return out


def pairing(report: Report, prior: Report, prior_path: str | Path, force: bool = False,
            aliases: Aliases | None = None, region: str = "") -> str:
    """The pairing text for a prior given by path; raises :class:`PriorMismatchError` when it does not match,
    unless ``force`` — then the text says it was forced and why it did not match."""
    found = problems(report, prior, aliases, region)
    if not found:
        return f"上年报告由参数指定：{prior_path}"
    if not force:
        raise PriorMismatchError(str(prior_path), f"不能作为上年报告：{'；'.join(found)}。"
                                                  f"确需对比请加 {FORCE_OPTION}")
    return f"上年报告由参数指定{FORCED}（{FORCE_OPTION}）：{prior_path}；注意：{'；'.join(found)}"
