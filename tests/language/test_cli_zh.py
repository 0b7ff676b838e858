"""The command line speaks Chinese: usage, section titles, the help option, every argument's help, the
errors argparse raises, and ``--version``."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

import audit_kit
from audit_kit.cli.app import main
from audit_kit.cli.parser import build_parser

ENGLISH = ("usage:", "options:", "optional arguments", "positional arguments", "show this help message and exit",
           "error:", "the following arguments are required", "invalid choice", "unrecognized arguments",
           "expected one argument", "show program's version number")


def _parsers() -> list[tuple[list[str], argparse.ArgumentParser]]:
    """(command words, parser) for the program and every subcommand, nested ones included."""
    out, todo = [], [([], build_parser())]
    while todo:
        words, parser = todo.pop()
        out.append((words, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(([*words, name], sub) for name, sub in action.choices.items())
    return out


PARSERS = _parsers()


def test_every_command_is_covered():
    names = {" ".join(w) for w, _p in PARSERS}
    assert {"", "extract", "check", "batch", "memo", "checks", "show", "export", "import", "ledger", "ledger verify"} <= names


@pytest.mark.parametrize("words", [w for w, _p in PARSERS], ids=lambda w: " ".join(w) or "audit-kit")
def test_help_has_no_english_argparse_phrase(words, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*words, "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("用法：audit-kit")
    assert "显示此帮助并退出" in shown
    for phrase in ENGLISH:
        assert phrase not in shown.lower(), phrase


@pytest.mark.parametrize(("words", "parser"), PARSERS, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_every_argument_has_help(words, parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and action.help is not argparse.SUPPRESS, (words, action.dest)


@pytest.mark.parametrize(("argv", "says"), [
    (["check"], "缺少必需的参数：path"),
    (["check", "x.txt", "--format", "xml"], "参数 --format：无效的取值 'xml'"),
    (["batch", "d", "-o", "o", "--jobs", "two"], "参数 --jobs：不是整数：'two'"),
    (["frobnicate"], "无效的取值 'frobnicate'"),
    (["show", "a.txt", "--bogus"], "无法识别的参数：--bogus"),
    ([], "缺少必需的参数"),
])
def test_errors_are_chinese_with_exit_2(argv, says, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "：错误：" in err and err.startswith("用法：")
    for phrase in ENGLISH:
        assert phrase not in err.lower(), phrase


def test_version_and_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"audit-kit {audit_kit.__version__}"
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "memo", "r.txt"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "缺少必需的参数：-o" in proc.stderr and "Traceback" not in proc.stderr
