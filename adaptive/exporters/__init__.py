"""Modules out to other tools: a QTI 3.0 content package (see docs/import.md)."""

from adaptive.exporters.qti3 import QtiPackage, export_qti3

__all__ = ["QtiPackage", "export_qti3"]
