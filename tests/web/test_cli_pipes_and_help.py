"""The `yidi` command line as an operator meets it (issue 18): output piped into a reader
that stops early ends quietly; every command's help is in Chinese."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import server

ROOT = Path(__file__).resolve().parents[2]


def test_a_reader_that_stops_early_ends_the_command_quietly(db_url: str, db) -> None:
    env = {**os.environ, "YIDI_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    code = "import server, sys; sys.exit(server.main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "calendar", "show", "2026"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head` that has already gone: every write meets a closed pipe
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 0, err
    assert "BrokenPipeError" not in err and "Traceback" not in err, err


# Names and notation that stay as they are in Chinese help: the program, commands and option
# flags and their typed values (--lang zh/en, --scope intake/court), file formats and paths,
# environment variables, signals, systems.
ALLOWED = {
    "yidi", "xiaogan", "qingshan", "SQLite", "WAL", "PostgreSQL", "SIGTERM", "Ctrl", "JSON",
    "Schema", "HTML", "CSV", "SVG", "API", "YIDI_HOST", "YIDI_PORT", "pytest", "definitions",
    "features", "feature", "docs", "engine", "ui", "zh", "en", "intake", "court",
}  # fmt: skip


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*prefix, name))
    return found


def test_every_command_s_help_is_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    everything = commands(server.build_parser())
    names = {name for command in everything for name in command}
    for command in everything:
        with pytest.raises(SystemExit):
            server.main([*command, "--help"])
        text = capsys.readouterr().out
        words = re.findall(r"(?<![-\w.])[A-Za-z][A-Za-z_]{2,}", re.sub(r"--?[\w-]+", " ", text))
        english = [w for w in words if w not in ALLOWED and w not in names]
        assert english == [], (command, english, text)
    with pytest.raises(SystemExit):
        server.main(["user", "add"])
    assert "错误：缺少必需的参数：用户名, --county" in capsys.readouterr().err
