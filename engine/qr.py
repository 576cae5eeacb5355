"""QR images of case codes for receipts (一案一码)."""

from __future__ import annotations

import io

import segno


def svg(code: str) -> str:
    """An SVG QR code of the case code, scalable for printing."""
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="svg", scale=4, xmldecl=False, title=code)
    return out.getvalue().decode("utf-8")
