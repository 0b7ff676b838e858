"""argparse in Chinese: usage, section titles, the help option and every error message.

argparse builds its texts with ``gettext`` but ships no Chinese catalogue, and installing one would change
every parser of the process. So the parser is subclassed instead: :class:`ZhFormatter` gives the usage
prefix, :class:`ZhParser` the section titles and the help option, and :meth:`ZhParser.error` translates the
messages argparse raises (the patterns below are argparse's own, Python 3.11–3.13)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

HELP = "显示此帮助并退出"
VERSION = "显示版本号并退出"

# argparse's messages (after %-formatting) → Chinese; applied in order, each at most once
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the following arguments are required: (.*)$"), r"缺少必需的参数：\1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"无法识别的参数：\1"),
    (re.compile(r"^invalid choice: (.*?) \(choose from (.*)\)$"), r"无效的取值 \1（可选：\2）"),
    (re.compile(r"^invalid int value: (.*)$"), r"不是整数：\1"),
    (re.compile(r"^invalid float value: (.*)$"), r"不是数字：\1"),
    (re.compile(r"^invalid (\w+) value: (.*)$"), r"取值无效：\2"),
    (re.compile(r"^expected one argument$"), "需要一个值"),
    (re.compile(r"^expected at most one argument$"), "至多给一个值"),
    (re.compile(r"^expected at least one argument$"), "至少需要一个值"),
    (re.compile(r"^expected (\d+) arguments?$"), r"需要 \1 个值"),
    (re.compile(r"^ambiguous option: (\S+) could match (.*)$"), r"选项 \1 有歧义，可能是：\2"),
    (re.compile(r"^not allowed with argument (.*)$"), r"不能与参数 \1 同时使用"),
    (re.compile(r"^ignored explicit argument (.*)$"), r"选项不接受值：\1"),
    (re.compile(r"^one of the arguments (.*) is required$"), r"需要以下参数之一：\1"),
]
_TITLE_COLON = re.compile(r"^(\S[^\n]*?):$", re.M)
_ARGUMENT = re.compile(r"^argument (\S+?): (.*)$", re.S)


def translate(message: str) -> str:
    """An argparse error message in Chinese (a message it does not know is returned as it is)."""
    m = _ARGUMENT.match(message)
    if m:
        return f"参数 {m.group(1)}：{translate(m.group(2))}"
    for pattern, repl in _MESSAGES:
        if pattern.match(message):
            return pattern.sub(repl, message)
    return message


class ZhFormatter(argparse.HelpFormatter):
    """Help in Chinese: "用法：" for "usage: "."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ZhParser(argparse.ArgumentParser):
    """An ArgumentParser whose every text is Chinese; its subcommands' parsers are ZhParsers too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ZhFormatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # our own -h/--help, with a Chinese help text, is added below
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP)

    def format_help(self) -> str:
        """The help, with Chinese colons after the section titles."""
        return _TITLE_COLON.sub(r"\1：", super().format_help())

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error in Chinese to stderr and exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate(message)}\n")
