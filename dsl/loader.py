"""Reading a county folder from disk and compiling it."""

from __future__ import annotations

from pathlib import Path

from dsl.compiler import compile_files
from dsl.diagnostics import DefinitionError
from dsl.model import County

SOURCE_SUFFIXES = (".yd", ".json", ".csv")


def load_files(folder: Path) -> dict[str, str]:
    """Every source file of a county: relative path (with /) -> text."""
    folder = Path(folder)
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            relative = path.relative_to(folder).as_posix()
            if relative.startswith("features/"):
                continue  # acceptance scenarios are not part of the definition
            found[relative] = path.read_text(encoding="utf-8-sig")
    return found


def compile_county(folder: Path, key: str | None = None) -> County:
    """The compiled county in `folder` (its key defaults to the folder name); raises
    DefinitionError listing every error."""
    folder = Path(folder)
    result = compile_files(key or folder.name, load_files(folder))
    if result.county is None:
        raise DefinitionError(result.diagnostics)
    return result.county
