"""Branchwise's adaptive engine: a pure library (no Flask, no database, no I/O).

Plain data in, plain data out. See docs/engine.md for the public API.
"""
