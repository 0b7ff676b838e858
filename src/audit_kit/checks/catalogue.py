"""The catalogue of the checks, printed from the registry: ``audit-kit checks`` and docs/checks.md (which a
test holds equal to :func:`markdown`)."""

from __future__ import annotations

from ..vocabulary import Severity, Status
from .registry import NEEDS, REGISTRY, Check

GROUPS = {"F": "模板与结构", "S": "模板与结构", "T": "表格内部勾稽", "X": "正文与表格", "Y": "跨年核对"}

INTRO = """# audit-kit 的检查

本文件由 `audit-kit checks --format markdown` 从检查注册表生成，与代码一致（测试会核对）。

每项检查有固定编号（结果、审核记录和审核意见书都用它），对每个位置给出一个结果：

- **通过**：检查已做，成立；
- **不通过**：检查已做，不成立；严重程度（错误、警告、提示）说明问题有多严重；
- **无法判断**：检查需要的输入缺失（表格未读到或被截断、没有上年报告、没有发布日期等）。缺输入从不记为不通过。

“需要”一栏列出检查声明的输入；缺少其中任何一项时，注册表直接给出一条“无法判断”并说明缺什么，检查本身不运行。
不适用的检查（例如 2021 年以前的 X-3、部门报告的 X-4）不给结果。表格中的空白格在计算时按 0 处理，但空白本身由
T2-4、T3-5 报告。

**一张表一条发现。** 逐格的检查（空白格 T2-4、T3-5，数值合规 T2-1、T3-4、T4-2）在同一张表上不通过的所有格合为
一条发现：说明共几格、哪些格，证据列出全部格（表格据此标出），编号（fingerprint）只取检查和表，不取格，
重新运行后审核结论仍对得上（格有变化时显示为“数据已变化，请复核”）。一张表整张没有数字（F-3 不通过）时，
它的空白格由 F-3 涵盖，空白格的发现并入 F-3 那一条（证据中注明并入了什么）。勾稽检查（T3-1、T3-2、T3-3、
T4-1）和正文、跨年检查仍按位置各为一条：每个等式、每句话要分别判断。"""


def ordered() -> list[Check]:
    """The registered checks in catalogue order: F, S, T, X, Y, by id within each group."""
    return sorted(REGISTRY.values(), key=lambda s: ("FSTXY".find(s.id[0]), s.id))


def needs_text(spec: Check) -> str:
    """What a check needs, in Chinese."""
    return "、".join(NEEDS[n][0] for n in spec.needs) or "报告本身（元数据、表格布局或正文，缺项时由检查自己说明）"


def markdown() -> str:
    """The catalogue as Markdown: the text of docs/checks.md."""
    parts = [INTRO]
    group = None
    for spec in ordered():
        name = GROUPS.get(spec.id[0], "其他")
        if name != group:
            group = name
            parts.append(f"## {name}")
        parts.append(
            f"### {spec.id} {spec.title}\n\n"
            f"- 严重程度：{Severity(spec.severity).zh}\n"
            f"- 检查内容：{spec.description}\n"
            f"- 需要：{needs_text(spec)}\n"
            f"- 示例发现：{spec.example}\n"
            f"- 整改要求（确认问题时写入审核意见书）：{spec.remedy or '按审核意见更正'}")
    return "\n\n".join(parts) + "\n"


def text() -> str:
    """The catalogue for the terminal: one block per check."""
    lines = [f"共 {len(REGISTRY)} 项检查（结果：{'、'.join(s.zh for s in Status)}）"]
    for spec in ordered():
        lines += ["", f"[{spec.id}] {spec.title}（{Severity(spec.severity).zh}）", f"  检查内容：{spec.description}",
                  f"  需要：{needs_text(spec)}", f"  示例发现：{spec.example}",
                  f"  整改要求：{spec.remedy or '按审核意见更正'}"]
    return "\n".join(lines)


def records() -> list[dict[str, object]]:
    """The catalogue as records (``audit-kit checks --format json``)."""
    return [{"id": s.id, "severity": s.severity, "severity_zh": Severity(s.severity).zh, "title": s.title,
             "description": s.description, "needs": list(s.needs), "example": s.example,
             "remedy": s.remedy} for s in ordered()]


def title_of(check_id: str) -> str:
    """The title a check registered (the check id itself for one no longer registered)."""
    spec = REGISTRY.get(check_id)
    return spec.title if spec is not None else check_id
