"""docs/xapi.md shows what the code sends: its samples are the builders' output, and valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .doc_samples import doc_samples
from .test_statements import validate_with_ralph

DOC = Path(__file__).resolve().parents[2] / "docs" / "xapi.md"


def test_doc_samples_are_current_and_valid():
    text = DOC.read_text(encoding="utf-8")
    shown = dict(re.findall(r"### ([a-z-]+)\n\n```json\n(.*?)\n```", text, re.S))
    expected = doc_samples()
    assert set(shown) == set(expected)
    for name, statement in expected.items():
        assert json.loads(shown[name]) == statement, f"regenerate the {name} sample"
        validate_with_ralph(json.loads(shown[name]))
