"""The yidi workflow engine: durable cases and tickets over compiled county definitions.

A library with no web code in it; `server.py`, `admin/` and the acceptance steps call it.
"""
