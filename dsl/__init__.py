"""The county definition language: parse, check and compile `definitions/<county>/`.

files = load_files(folder)                  # relative path -> text (.yd, forms/*.json, *.csv)
result = compile_files(key, files)          # .county (or None) and .diagnostics
county = compile_county(folder)             # raises DefinitionError(.diagnostics)
format_diagnostic(d, files, lang="zh")      # "path:line:col: message", the line, a caret
"""

from dsl.compiler import CompileResult, compile_files
from dsl.diagnostics import DefinitionError, Diagnostic, format_diagnostic
from dsl.loader import compile_county, load_files
from dsl.model import County

__all__ = [
    "CompileResult",
    "County",
    "DefinitionError",
    "Diagnostic",
    "compile_county",
    "compile_files",
    "format_diagnostic",
    "load_files",
]
