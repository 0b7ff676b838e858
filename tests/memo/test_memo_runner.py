"""The memo runner keeps kernels up across memos: no variable leaks from one report's run into the next,
and a notebook that fails for one report costs that memo only."""

from __future__ import annotations

import nbformat

from audit_kit.memo.kernels import Job, run_notebooks


def _notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell('x = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from IPython.display import HTML, display\n"
                                  "leaked = 'seen' in dir()\n"
                                  "seen = x\n"
                                  "assert x != 'bad', 'this report breaks the notebook'\n"
                                  "display(HTML(f'<h1>memo {x}</h1><p>leaked={leaked}</p>'),\n"
                                  "        metadata={'text/html': {'audit_kit_title': f'memo {x}'}})"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return path


def _export(nb, title):
    outputs = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    return f"<title>{title}</title>{outputs}"


def test_one_failing_report_costs_its_memo_only_and_nothing_leaks_between_runs(tmp_path):
    jobs = [Job({"x": x}, tmp_path / f"{x}.html") for x in ("one", "bad", "two", "three")]
    outcomes = run_notebooks(_notebook(tmp_path), jobs, lanes=1, export=_export)
    assert [o.job.parameters["x"] for o in outcomes] == ["one", "bad", "two", "three"]
    assert [bool(o.error) for o in outcomes] == [False, True, False, False]
    assert "this report breaks the notebook" in outcomes[1].error and "AssertionError" in outcomes[1].error
    assert not (tmp_path / "bad.html").exists()
    for x in ("one", "two", "three"):
        page = (tmp_path / f"{x}.html").read_text(encoding="utf-8")
        assert f"<title>memo {x}</title>" in page  # the title the header gave in its output metadata
        assert "leaked=False" in page  # %reset -f ran before each report


def test_two_lanes_write_every_memo(tmp_path):
    jobs = [Job({"x": f"r{i}"}, tmp_path / f"r{i}.html") for i in range(5)]
    outcomes = run_notebooks(_notebook(tmp_path), jobs, lanes=2, export=_export)
    assert [o.error for o in outcomes] == [""] * 5
    assert sorted(p.name for p in tmp_path.glob("r*.html")) == [f"r{i}.html" for i in range(5)]


def _pid_notebook(tmp_path, name: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('x = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nfrom IPython.display import HTML, display\n"
                                          "display(HTML(f'<p>{os.getpid()} {x}</p>'))")]
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def test_one_kernel_runs_the_memos_and_then_another_notebook(tmp_path):
    """The batch's index runs on a kernel the memos already started: one kernel process for both notebooks."""
    from audit_kit.memo.kernels import Lanes

    with Lanes(1, cwd=str(tmp_path), export=_export, warm="import os") as lanes:
        first = lanes.run(_pid_notebook(tmp_path, "a.ipynb"), [Job({"x": "memo"}, tmp_path / "a.html")])
        second = lanes.run(_pid_notebook(tmp_path, "b.ipynb"), [Job({"x": "index"}, tmp_path / "b.html")])
    assert [o.error for o in first + second] == ["", ""]
    pid_a = (tmp_path / "a.html").read_text(encoding="utf-8").split("<p>")[1].split()[0]
    pid_b = (tmp_path / "b.html").read_text(encoding="utf-8").split("<p>")[1].split()[0]
    assert pid_a == pid_b and pid_a.isdigit()


def test_a_kernel_that_cannot_start_fails_each_memo_with_its_reason(tmp_path):
    jobs = [Job({"x": f"r{i}"}, tmp_path / f"r{i}.html") for i in range(2)]
    outcomes = run_notebooks(_notebook(tmp_path), jobs, lanes=1, kernel="no-such-kernel", export=_export)
    assert all(o.error.startswith("内核无法启动") for o in outcomes), [o.error for o in outcomes]
    assert not list(tmp_path.glob("r*.html"))
