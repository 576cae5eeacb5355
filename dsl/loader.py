"""Reading a county folder from disk and compiling it."""

from __future__ import annotations

from pathlib import Path

from dsl.compiler import compile_files
from dsl.diagnostics import DefinitionError, Diagnostic
from dsl.model import County

SOURCE_SUFFIXES = (".yd", ".json", ".csv")


def load_files(folder: Path) -> dict[str, str]:
    """Every source file of a county: relative path (with /) -> text.

    Raises DefinitionError naming every file that is not UTF-8 text (a spreadsheet saved as
    GBK is the usual case), so that nothing is compiled from garbled names."""
    folder = Path(folder)
    found: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            relative = path.relative_to(folder).as_posix()
            if relative.startswith("features/"):
                continue  # acceptance scenarios are not part of the definition
            try:
                found[relative] = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                problems.append(
                    Diagnostic(
                        relative, 1, 1, "error",
                        "文件不是 UTF-8 编码；请用 UTF-8 另存（表格软件里选择“CSV UTF-8”）",
                        "the file is not UTF-8 text; save it as UTF-8",
                    )
                )  # fmt: skip
    if problems:
        raise DefinitionError(problems)
    return found


def compile_county(folder: Path, key: str | None = None) -> County:
    """The compiled county in `folder` (its key defaults to the folder name); raises
    DefinitionError listing every error."""
    folder = Path(folder)
    result = compile_files(key or folder.name, load_files(folder))
    if result.county is None:
        raise DefinitionError(result.diagnostics)
    return result.county
