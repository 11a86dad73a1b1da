"""Shared helpers for Branchwise tests."""
