"""Figures centers report (统计指标), computed in SQL over the case table; no web code.

Definitions live in docs/dashboards.md; `figures.METRICS` is their one implementation.
"""
