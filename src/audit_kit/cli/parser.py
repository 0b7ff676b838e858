"""The command line's parser: every command and option, in Chinese."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .commands import (
    cmd_batch,
    cmd_check,
    cmd_checks,
    cmd_export,
    cmd_extract,
    cmd_import,
    cmd_ledger_verify,
    cmd_memo,
    cmd_show,
    cmd_signoff,
)

if TYPE_CHECKING:  # pandas and the readers are imported by the commands that use them: `memo` starts faster

    pass


REGION = ("工作区所在地区（如 南京市、江苏省南京市 或代码 320100）：名称只写“鼓楼区财政局”这类在多地重名的区县时，"
          "据此确定是哪一个机关；记入工作区的 settings.json，以后的运行沿用")

def build_parser() -> argparse.ArgumentParser:
    from ..bundled import __version__
    from .zh import VERSION, ZhParser

    ap = ZhParser(prog="audit-kit", description="政府信息公开工作年度报告审核工具")
    ap.add_argument("--version", action="version", version=f"audit-kit {__version__}", help=VERSION)
    sub = ap.add_subparsers(dest="command", required=True, title="命令", metavar="命令")
    p = sub.add_parser("extract", help="读取一份年报，输出表格单元格（csv）或 meta+cells（json）")
    p.add_argument("path", help="年报文件（.txt、网页、.docx、.pdf、.doc/.wps、图片）")
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="输出格式：csv（单元格，默认）或 json")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("check", help="读取年报并运行全部检查")
    p.add_argument("path", help="年报文件")
    p.add_argument("--prior", help="同一机关上一年度的年报")
    p.add_argument("--force-prior", action="store_true", help="上年报告的机关或年度不符时仍强制对比")
    p.add_argument("--store", help="审核工作区文件夹（默认按统一规则找到 audit-store/）：用其别名表核对 --prior 的机关；"
                   "年报也可以是工作区中已存报告的编号")
    p.add_argument("--region", help=REGION.replace("记入工作区的 settings.json，以后的运行沿用", "只用于本次核对 --prior"))
    p.add_argument("--format", choices=["text", "csv", "json"], default="text",
                   help="输出格式：text（中文摘要，默认）、csv 或 json")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("batch", help="审核整个文件夹（含子文件夹），与报告库中的上年报告对比")
    p.add_argument("dir", help="存放年报的文件夹")
    p.add_argument("-o", required=True, help="输出文件夹")
    p.add_argument("--jobs", type=int, default=1, help="并行进程数")
    p.add_argument("--store", help="审核工作区文件夹（默认：当前或上级文件夹中的 audit-store/，见 README）")
    p.add_argument("--region", help=REGION)
    p.add_argument("--memos", action="store_true", help="为每份报告生成审核意见书，并生成 index.html（汇总）")
    p.add_argument("--ledger", help="审核记录文件（默认为工作区的 ledger.sqlite）")
    p.add_argument("--auditor", help="审核人")
    p.add_argument("--allow-output-inside", action="store_true",
                   help="允许输出文件夹、报告库或审核记录位于被审核的文件夹之内（默认拒绝）")
    p.add_argument("--follow-links", action="store_true", help="也读取链接到文件夹之外的文件和文件夹")
    p.add_argument("--file-timeout", type=float, default=120.0,
                   help="每个文件读取和检查的时间上限（秒，默认 120；0 为不限）")
    p.add_argument("--scheduler", metavar="tcp://主机:端口",
                   help="在此 Dask 集群上运行（工作节点须以相同路径访问年报、输出文件夹和报告库）；不给出时在本机运行")
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("memo", help="生成一份年报的 HTML 审核意见书（离线、可打印）")
    p.add_argument("path", help="年报文件，或工作区中已存报告的编号（可只写开头几位）")
    p.add_argument("--prior", help="同一机关上一年度的年报")
    p.add_argument("--force-prior", action="store_true", help="上年报告的机关或年度不符时仍强制对比（审核意见书中注明）")
    p.add_argument("--store", help="审核工作区文件夹（默认：当前或上级文件夹中的 audit-store/）：存放报告、检查结果、审核记录")
    p.add_argument("--region", help=REGION)
    p.add_argument("--ledger", help="审核记录文件（默认为工作区的 ledger.sqlite）")
    p.add_argument("--auditor", help="审核人（默认为工作区设置中的审核人）")
    p.add_argument("--reviewer", help="复核人（默认为工作区设置中的复核人；复核记录见 audit-kit signoff）")
    p.add_argument("-o", required=True, help="输出的 .html 文件")
    p.set_defaults(func=cmd_memo)
    p = sub.add_parser("signoff", help="记录一份年报的审核结论（审核人）或复核意见（复核人，须为另一人）")
    p.add_argument("path", help="年报文件，或工作区中已存报告的编号")
    p.add_argument("--conclusion", metavar="结论", help="审核人的审核结论：同意发布、修改后发布 或 退回重新编制")
    p.add_argument("--review", metavar="复核意见", help="复核人的复核意见：复核通过 或 退回")
    p.add_argument("--reason", help="理由或复核意见的说明")
    p.add_argument("--auditor", help="审核人（默认为工作区设置中的审核人）")
    p.add_argument("--reviewer", help="复核人（默认为工作区设置中的复核人）")
    p.add_argument("--store", help="审核工作区文件夹（默认按统一规则找到 audit-store/）")
    p.add_argument("--ledger", help="审核记录文件（默认为工作区的 ledger.sqlite）")
    p.set_defaults(func=cmd_signoff)
    p = sub.add_parser("checks", help="列出全部检查：编号、严重程度、检查内容、需要的输入、示例发现")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="text（终端）、markdown（即 docs/checks.md）或 json")
    p.set_defaults(func=cmd_checks)
    p = sub.add_parser("show", help="读取年报，打印摘要和三张表")
    p.add_argument("paths", nargs="+", help="一个或多个年报文件")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("export", help="把工作区的报告、发现（含审核结论）和指标导出为 Excel 工作簿")
    p.add_argument("--store", help="审核工作区（报告库）文件夹（默认按规则查找 audit-store/）")
    p.add_argument("-o", required=True, help="输出的 .xlsx 文件，例如 审核结果.xlsx")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="把 Excel 工作簿“发现”表中填写的审核结论和审核意见记入审核记录")
    p.add_argument("path", help="由 audit-kit export 导出并填写过的 .xlsx 文件")
    p.add_argument("--store", help="审核工作区（报告库）文件夹（默认按规则查找 audit-store/）")
    p.add_argument("--auditor", help="审核人姓名（默认取工作区设置中的审核人）")
    p.add_argument("--force", action="store_true",
                   help="导出之后他人又记录了结论的行也导入（覆盖其结论，并逐条说明覆盖了谁的结论）")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("ledger", help="审核记录")
    ledger_sub = p.add_subparsers(dest="ledger_command", required=True, title="子命令", metavar="子命令")
    p = ledger_sub.add_parser("verify", help="校验审核记录的哈希链：完整退出 0，否则指出第一条被改动的记录并退出 1")
    p.add_argument("path", help="审核记录文件（.sqlite）")
    p.set_defaults(func=cmd_ledger_verify)
    for p in sub.choices.values():  # audit_kit.readers.limits: one number replaces every size limit, for workers too
        p.add_argument("--max-mb", type=float, help="单个文件（及其解压内容）的大小上限，单位 MB（默认按格式：文本 8、网页 20、"
                       "Word 50、PDF 200、图片 50；同环境变量 AUDIT_KIT_MAX_MB）")
        p.add_argument("--max-pages", type=int, help="单份年报的页数上限（PDF 页、图像帧、需识别的图片；默认 200，"
                       "同环境变量 AUDIT_KIT_MAX_PAGES）：页数更多的文件不予读取")
    return ap
