"""The commands of ``audit-kit``, one function each (``cmd_…``), called with the parsed arguments and the
run's configuration (``args.config``).

Exit status: 0 read fine (and no error-level fail), 1 read fine with an error-level fail, 2 an input
could not be read (one line on stderr naming the file and why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AuditKitError, LedgerError, OutputPathError
from ..model.numbers import missing
from ..vocabulary import Severity, Status
from . import guards as paths
from .terminal import json_safe, say, write_data

if TYPE_CHECKING:  # pandas and the readers are imported by the commands that use them: `memo` starts faster
    import pandas as pd

    from ..model.report import Report


def _jsonable(x: object) -> object:
    if isinstance(x, float) and missing(x):
        return None
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, tuple | list):
        return [_jsonable(i) for i in x]
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    return x


def _csv_text(frame: pd.DataFrame, write_csv: Callable[[pd.DataFrame, io.StringIO], None]) -> str:
    """The neutralised CSV of ``frame`` as text (for stdout)."""
    buf = io.StringIO()
    write_csv(frame, buf)
    return buf.getvalue()


def report_json(report: Report) -> dict:
    cells = [_jsonable(r) for r in report.cells.to_dict(orient="records")]
    return {"meta": _jsonable(report.meta), "cells": cells, "sections": report.sections}


def cmd_extract(args: argparse.Namespace) -> int:
    from ..extract.loader import load
    from ..render.spreadsheet import write_csv

    report = load(args.path, args.config)
    if args.format == "json":
        sys.stdout.write(json_safe(json.dumps(report_json(report), ensure_ascii=False, indent=1)) + "\n")
    else:
        write_data(_csv_text(report.cells, write_csv))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..extract.loader import load
    from ..review.tables import all_tables

    status = 0
    with pd.option_context("display.max_columns", 20, "display.width", 200, "display.max_colwidth", 14,
                           "display.unicode.east_asian_width", True):
        for path in args.paths:
            try:
                report = load(path, args.config)
            except AuditKitError as exc:
                say(f"audit-kit: {exc}", err=True)
                status = 2
                continue
            say(f"\n■ {Path(path).name}：{report.summary()}")
            for note in report.meta["notes"]:
                say(f"  注：{note}")
            for name, frame in all_tables(report).items():
                say(f"\n{name}")
                say(frame.fillna("（未读到）").to_string())
    return status


def results_text(report: Report, results: pd.DataFrame) -> str:
    """A readable Chinese summary grouped by severity; every line shows the check id."""
    fails = results[results["status"] == Status.FAIL]
    na = results[results["status"] == Status.NOT_ASSESSABLE]
    lines = [report.summary(),
             f"检查结果：{len(results)} 项，{Status.PASS.zh} {int((results['status'] == Status.PASS).sum())}，"
             f"{Status.FAIL.zh} {len(fails)}，{Status.NOT_ASSESSABLE.zh} {len(na)}"]
    for sev in Severity:
        part = fails[fails["severity"] == sev]
        if len(part):
            lines.append(f"\n【{sev.zh}】{len(part)} 项")
            lines.extend(f"  [{r.check_id}] {r.message}" for r in part.itertuples())
    if len(na):
        lines.append(f"\n【{Status.NOT_ASSESSABLE.zh}】{len(na)} 项")
        lines.extend(f"  [{r.check_id}] {r.message}" for r in na.itertuples())
    return "\n".join(lines)


def _report_or_stored(ref: str, args: argparse.Namespace) -> Report:
    """A report file, or when no such file exists, a report stored in the workspace (by id or unique
    prefix); the workspace is only read, never created."""
    from ..workspace.access import Workspace
    from ..workspace.folder import is_workspace, locate

    folder = locate(args.store)
    if Path(ref).exists() or not is_workspace(folder):
        from ..extract.loader import load

        return load(ref, args.config)
    with Workspace(folder, args.config) as ws:
        return ws.report(ref)


def cmd_check(args: argparse.Namespace) -> int:
    from ..checks import check
    from ..render.spreadsheet import write_csv

    report = _report_or_stored(args.path, args)
    prior = _report_or_stored(args.prior, args) if args.prior else None
    if prior is not None:
        _prior_pairing(args, report, prior)
    results = check(report, prior)
    if args.format == "json":
        records = [_jsonable(r) for r in results.to_dict(orient="records")]
        sys.stdout.write(json_safe(json.dumps(records, ensure_ascii=False, indent=1)) + "\n")
    elif args.format == "csv":
        out = results.copy()
        out["evidence"] = out["evidence"].map(lambda e: json.dumps(_jsonable(e), ensure_ascii=False))
        write_data(_csv_text(out, write_csv))
    else:
        say(results_text(report, results))
    errors = results[(results["status"] == "fail") & (results["severity"] == "error")]
    return 1 if len(errors) else 0


def _prior_pairing(args: argparse.Namespace, report: Report, prior: Report) -> str:
    """Refuse a ``--prior`` that is not last year's report of the same agency, unless ``--force-prior``."""
    from ..workspace import priors
    from ..workspace.folder import declared_region, locate

    store = locate(getattr(args, "store", None))
    region = getattr(args, "region", None) or declared_region(store)
    text = priors.pairing(report, prior, args.prior, force=args.force_prior, aliases=priors.store_aliases(store),
                          region=region)
    if priors.FORCED in text:
        say(f"audit-kit: 注意：{text}", err=True)
    return text


def _memo_paths(args: argparse.Namespace) -> tuple[str, str]:
    """Check every path ``memo`` writes before any work: returns the workspace and the ledger paths (the
    workspace's ledger unless ``--ledger``)."""
    from ..workspace.folder import ledger_path, locate

    store = str(locate(args.store))
    ledger = str(ledger_path(Path(store), args.ledger))  # before anything is created
    paths.output_file(args.o, "输出的审核意见书")
    paths.output_folder(store, "审核工作区（报告库）")
    inputs = {"年报": args.path, "上年报告": args.prior}
    paths.not_an_input({"输出的审核意见书": args.o}, {**inputs, "审核记录": ledger})
    paths.not_an_input({"审核记录": ledger}, inputs)
    if paths.inside(args.o, store):
        raise OutputPathError(args.o, f"输出的审核意见书在审核工作区（报告库）{store} 之内；请换一个位置")
    return store, ledger


def cmd_memo(args: argparse.Namespace) -> int:
    from ..memo.exporter import prepare
    from ..memo.kernels import Lanes

    store, ledger = _memo_paths(args)
    with Lanes(1, cwd=str(Path.cwd()), prepare=prepare) as lanes:  # the kernel starts while the report is read
        from ..memo.write import write_memo
        from ..workspace import priors
        from ..workspace.access import Workspace

        with Workspace(store, args.config, ledger) as ws:
            for note in ws.ledger.notes:  # a file that is no ledger is refused now, not after the notebook ran
                say(f"audit-kit: {ledger}: {note}", err=True)
            ws.declare_region(args.region)  # in settings.json: the memo's kernel reads names in it too
            # read (once), stored and checked here: a bad input is a clear one-line error, the kernel is let go
            audit = ws.open(args.path, args.prior or "", args.force_prior)
            for note in ws.results.notes:  # a damaged results file was rebuilt
                say(f"audit-kit: 注意：{note}", err=True)
            if priors.FORCED in audit.pairing:
                say(f"audit-kit: 注意：{audit.pairing}", err=True)
            out = write_memo(args.path, args.o, prior=args.prior or "", store=store, ledger=ledger,
                             auditor=args.auditor or "", force_prior=args.force_prior, opened=audit, lanes=lanes,
                             reviewer=args.reviewer or "")
    say(out)
    return 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    from ..workspace.ledger import Ledger

    if not Path(args.path).exists():
        raise LedgerError(args.path, "文件不存在")
    ledger = Ledger(args.path, read_only=True)  # only read: no journal switch, no upgrade
    for note in ledger.notes:
        say(f"audit-kit: {args.path}: {note}", err=True)
    from ..workspace import signoffs

    result = ledger.verify()
    signed, n, why = signoffs.verify(ledger.db)
    ledger.close()
    say(result.line)
    say(f"签署记录（审核结论与复核）完整：{n} 条" if signed else f"签署记录不完整：{why}")
    return 0 if result.ok and signed else 1


def cmd_signoff(args: argparse.Namespace) -> int:
    """Record the auditor's 审核结论 (``--conclusion``) or the reviewer's 复核 (``--review``) of one report."""
    from ..vocabulary import ReviewVerdict, Verdict
    from ..workspace.access import Workspace
    from ..workspace.signoffs import verdict_of

    if bool(args.conclusion) == bool(args.review):
        say("audit-kit: 请给出 --conclusion（审核人的审核结论）或 --review（复核人的复核意见）之一", err=True)
        return 2
    with Workspace.find(args.store, config=args.config, ledger=args.ledger) as ws:
        report = ws.report(args.path)
        rid = report.report_id
        try:
            if args.conclusion:
                verdict = verdict_of(args.conclusion, Verdict)
                name = args.auditor or ws.settings.auditor
                ws.signoffs.conclude(rid, verdict, args.reason or "", name)
                say(f"已记录审核结论：{Verdict(verdict).zh}（审核人 {name}，报告 {rid}）")
            else:
                verdict = verdict_of(args.review, ReviewVerdict)
                name = args.reviewer or ws.settings.reviewer
                ws.signoffs.review(rid, verdict, args.reason or "", name)
                say(f"已记录复核：{ReviewVerdict(verdict).zh}（复核人 {name}，报告 {rid}）")
        except ValueError as exc:
            say(f"audit-kit: {exc}", err=True)
            return 2
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from ..batch import log as batchlog
    from ..batch.client import batch_lock, exit_status, run_batch
    from ..readers import READERS
    from ..workspace.access import Workspace
    from ..workspace.folder import ledger_path, locate

    if not Path(args.dir).is_dir():
        say(f"audit-kit: {args.dir}：文件夹不存在", err=True)
        return 2
    args.store = str(locate(args.store))  # the workspace: --store, else found by the one rule
    args.ledger = str(ledger_path(Path(args.store), args.ledger))
    _batch_paths(args)
    with Workspace(args.store, args.config, args.ledger) as ws:
        if args.memos:
            ws.ledger  # noqa: B018 - opened now: a file that is no ledger is refused before the batch
    failed: list = []
    try:
        held = batch_lock(args.o, args.store)
        held.__enter__()  # held until the process ends: over the memos too
        with batchlog.batch_log(args.o):  # tracebacks to OUTDIR/batch.log; the console keeps one line per file
            reports = run_batch(args.dir, args.o, jobs=args.jobs, store=args.store, follow_links=args.follow_links,
                                file_timeout=args.file_timeout, lock=False, scheduler=args.scheduler,
                                config=args.config, region=args.region)
            if reports.attrs.get("outside"):
                say(f"audit-kit: 未读取 {len(reports.attrs['outside'])} 个指向 {args.dir} 之外的链接"
                    f"（如 {reports.attrs['outside'][0]}）；需要时加 --follow-links", err=True)
            if reports.empty:
                say(f"audit-kit: {args.dir} 下没有可读取的年报文件（支持：{'、'.join(sorted(READERS))}）", err=True)
                return 2
            if args.memos:
                from ..memo.write import write_memos

                outcomes = write_memos(args.o, args.store, ledger=args.ledger, auditor=args.auditor or "",
                                       jobs=args.jobs)
                failed = [o for o in outcomes if o.error]
                say(f"审核意见书 {len(outcomes) - len(failed)} 份：{Path(args.o) / 'memos'}；索引：{Path(args.o) / 'index.html'}")
                files = dict(zip(reports["report_id"], reports["file"], strict=True))
                for o in failed:
                    rid = o.job.parameters["report"]
                    say(f"  审核意见书未生成 {files.get(rid, rid)}：{o.error}", err=True)
                    batchlog.memo_failed(files.get(rid, rid), o.error, o.detail)
    except KeyboardInterrupt:
        say("audit-kit: 已中断；已读取的报告都已存入报告库，重新运行同一命令即可继续", err=True)
        return 130
    ok = int((reports["status"] == "ok").sum())
    say(f"共 {len(reports)} 个文件：读取成功 {ok}，失败 {len(reports) - ok}；结果写入 {args.o}")
    for row in reports[reports["status"] == "error"].itertuples():
        say(f"  读取失败 {row.file}：{row.reason}", err=True)
    return 2 if failed else exit_status(reports)


def cmd_checks(args: argparse.Namespace) -> int:
    from ..checks import catalogue

    if args.format == "json":
        json.dump(catalogue.records(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(catalogue.markdown() if args.format == "markdown" else catalogue.text() + "\n")
    return 0


def _batch_paths(args: argparse.Namespace) -> None:
    """Check every path ``batch`` writes before any work (inputs are never overwritten)."""
    from ..batch.files import find_files

    paths.output_folder(args.o, "输出文件夹")
    paths.output_folder(args.store, "报告库")
    if paths.same_file(args.o, args.store) or Path(args.o).resolve() == Path(args.store).resolve():
        raise OutputPathError(args.o, f"输出文件夹与报告库（{args.store}）不能是同一个文件夹")
    written = {"输出文件夹": args.o, "报告库": args.store}
    if args.memos:
        written["审核记录"] = args.ledger
        paths.output_file(written["审核记录"], "审核记录")
    if not args.allow_output_inside:
        paths.outside(written, args.dir, "--allow-output-inside")
    paths.batch_outputs_not_inputs(args.o, lambda: find_files(Path(args.dir), skip=(Path(args.o), Path(args.store))))


def cmd_export(args: argparse.Namespace) -> int:
    from ..review.excel import export
    from ..workspace.access import Workspace

    paths.output_file(args.o, "导出的 Excel 文件")
    with Workspace.find(args.store, config=args.config) as ws:
        left_out: list[str] = []
        out = export(ws, args.o, left_out)
        for note in [*ws.notes, *left_out]:
            say(f"audit-kit: 注意：{note}", err=True)
        say(out)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..review.excel_import import import_decisions
    from ..workspace.access import Workspace

    with Workspace.find(args.store, config=args.config) as ws:
        auditor = args.auditor or ws.settings.auditor
        if not auditor:
            say(f"audit-kit: {args.path}：请用 --auditor 给出审核人姓名（或在工作区设置中保存审核人）", err=True)
            return 2
        result = import_decisions(args.path, ws, auditor, force=args.force)
    say(result.line)
    for line in result.overwritten:
        say(f"audit-kit: 注意：{line}", err=True)
    for problem in result.problems:
        say(f"audit-kit: {problem}", err=True)
    return 2 if result.problems else 0
