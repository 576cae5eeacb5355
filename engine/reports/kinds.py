"""Figures by office kind (`单位 法院 { 类型 法院 }`): the offices of one kind counted together.

A county writes each office's kind (法院, 司法, 调委会, ...); the dashboards' 「单位类型」 breakdown
adds up the per-office figures of each kind, and drills down to the cases of those offices.
`offices_of` is the one place that tells which offices are of a kind (the court's, say)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from dsl.model import County
from engine.reports.figures import UNSET, Figures
from engine.tables import Case

OFFICE_KIND = "office_kind"
LABEL = "单位类型"


def kind_of(county: County, office: str) -> str:
    node = county.offices.get(office)
    return node.kind if node is not None and node.kind else UNSET


def offices_of(county: County, kind: str) -> list[str]:
    """The offices of `kind` (UNSET: those without one)."""
    return sorted(k for k in county.offices if kind_of(county, k) == kind)


def fold(county: County, per_office: dict[str, Figures]) -> dict[str, Figures]:
    """Per-office rows summed per kind (cases with no office, or an office no longer in the
    definition, under 「（未填）」), biggest kind first as the office rows were."""
    rows: dict[str, Figures] = {}
    for office, figures in per_office.items():
        kind = kind_of(county, office)
        into = rows.get(kind)
        if into is None:
            rows[kind] = dict(figures)
            continue
        for key, figure in figures.items():
            into[key] = into[key] + figure
    return rows


def condition(county: County, kind: str) -> ColumnElement[bool]:
    """The cases of offices of `kind`, for the drill-down lists."""
    offices = offices_of(county, kind)
    if kind != UNSET:
        return Case.office.in_(offices)
    known = [k for k in county.offices if kind_of(county, k) != UNSET]
    return or_(Case.office.is_(None), Case.office.not_in(known))
