"""Acceptance scenarios: the Gherkin step library (Chinese and English) and its tools."""
