"""Issue 13: degraded copies of the complete real reports read to the original's cells, or to exactly the
cells their layout leaves provable — never a wrong value. A tally per layout is printed at the end."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest

import audit_kit
from tests import degrade as dg
from tests.conftest import BUNDLED_SEED, CORPUS

SOURCES = {"seed": BUNDLED_SEED, "023": CORPUS / "023.html", "pingtan": CORPUS / "pingtan-2021.html",
           "huaian": CORPUS / "pdf" / "huaian-2024.pdf"}
TALLY: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # variants, cells read, original cells, wrong


@pytest.fixture(scope="module")
def originals() -> dict[str, dg.Original]:
    out = {}
    for name, path in SOURCES.items():
        if path.exists():
            out[name] = dg.original_of(audit_kit.load(path))
    return out


def variants(orig: dg.Original) -> list[dg.Variant]:
    items = dg.items_of(orig)
    everything = dg.all_cells(orig)
    t3 = [it.code for it in items if isinstance(it, dg.Row) and it.table == "t3"]
    out = [dg.Variant("0 clean", "clean", ".txt", dg.as_lines(items), everything)]
    for group in ("deny", "unable", "noproc"):
        codes = {c for c in t3 if c.startswith(group + ".")}
        out.append(dg.Variant("1 labels dropped", f"group {group}", ".txt",
                              dg.as_lines(dg.drop_labels(items, codes)), everything))
    out.append(dg.Variant("1 labels dropped", "all groups", ".txt", dg.as_lines(dg.drop_labels(
        items, {c for c in t3 if "." in c})), everything))
    out.append(dg.Variant("1 labels dropped", "t2 second row", ".txt",
                          dg.as_lines(dg.drop_labels(items, {"normative", "coercion"})), everything))
    out.append(dg.Variant("1 labels dropped", "two labels above", ".txt",
                          dg.as_lines(dg.labels_together(items, "deny.secret")), everything))
    out.append(dg.Variant("2 digits run together", "one line", ".txt", dg.as_run_together(items),
                          dg.run_together_provable(orig, items)))
    out.append(dg.Variant("3 split tables", "t4 three tables", ".txt",
                          dg.as_lines(dg.t4_split(items, orig)), everything))
    out.append(dg.Variant("3 split tables", "t4 garbled header", ".txt", dg.as_lines(dg.t4_garbled(items)),
                          everything))
    out.append(dg.Variant("3 split tables", "t3 placeholders", ".txt", dg.as_lines(dg.t3_placeholders(items)),
                          everything))
    out.append(dg.Variant("3 split tables", "t3 second header", ".txt", dg.as_lines(dg.t3_second_header(items)),
                          everything))
    for suffix in (".md", ".txt"):
        out.append(dg.Variant("4 markdown", f"plain{suffix}", suffix, dg.as_markdown(items), everything))
        out.append(dg.Variant("4 markdown", f"labels apart{suffix}", suffix,
                              dg.as_markdown(items, label_apart={"deny.law", "unable.needs_creation"}), everything))
        out.append(dg.Variant("4 markdown", f"label after{suffix}", suffix,
                              dg.as_markdown(items, label_after={"noproc.mass"}), everything))
        out.append(dg.Variant("4 markdown", f"wrapped labels{suffix}", suffix,
                              dg.as_markdown(items, wrap={"unable.needs_creation": 8, "noproc.reissue": 9}),
                              everything))
    return out


def _same(a: tuple[str, float], b: tuple[str, float]) -> bool:
    if a[0] != b[0]:
        return False
    return (math.isnan(a[1]) and math.isnan(b[1])) or a[1] == b[1]


def _read(tmp_path: Path, v: dg.Variant, i: int) -> audit_kit.Report:
    path = tmp_path / f"v{i}{v.suffix}"
    if isinstance(v.content, bytes):
        path.write_bytes(v.content)
    else:
        path.write_text(v.content, encoding="utf-8")
    return audit_kit.load(path)


def _judge(orig: dg.Original, v: dg.Variant, report: audit_kit.Report) -> list[str]:
    problems = []
    got = {(r.table, r.row, r.col): (r.status, r.value) for r in report.cells.itertuples(index=False)}
    wrong = [k for k, val in got.items() if k not in orig.cells or not _same(val, orig.cells[k])]
    missing = sorted(v.must - set(got))
    tally = TALLY[v.layout]
    tally[0] += 1
    tally[1] += len(set(got) & set(orig.cells)) - len(wrong)
    tally[2] += len(orig.cells)
    tally[3] += len(wrong)
    if wrong:
        problems.append(f"{v.name}: wrong {[(k, got[k], orig.cells.get(k)) for k in wrong[:5]]}")
    if missing:
        problems.append(f"{v.name}: missing {len(missing)} of must {len(v.must)}, e.g. {missing[:4]}")
    return problems


@pytest.mark.parametrize("source", list(SOURCES))
def test_variants_read_to_the_originals_cells(originals, tmp_path, source):
    if source not in originals:
        pytest.skip("../shared/corpus is not here")
    orig = originals[source]
    problems = []
    for i, v in enumerate(variants(orig)):
        problems += _judge(orig, v, _read(tmp_path, v, i))
    assert not problems, "\n".join(problems)


def test_zz_tally(capsys):
    """Print the tally per layout (run with -s to see it)."""
    with capsys.disabled():
        print("\nlayout                    variants  cells read / original  wrong")
        for layout in sorted(TALLY):
            n, read, total, wrong = TALLY[layout]
            print(f"{layout:26}{n:8}  {read:6} / {total:<6} ({100 * read / max(total, 1):5.1f}%)  {wrong}")
    assert all(t[3] == 0 for t in TALLY.values())
