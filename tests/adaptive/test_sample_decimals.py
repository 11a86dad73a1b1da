"""The samples' Spanish and French translations write decimals with a comma in formulas
too ("$7 > 6{,}5$"): the Spanish ones wrote "$7 > 6.5$" right after "la mitad de 13 es 6,5",
while the learner's answers are read with a decimal comma."""

from __future__ import annotations

import re

import pytest

from adaptive.modules.math_spans import math_spans
from adaptive.samples import load_sample, sample_ids

POINT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


@pytest.mark.parametrize("sample", sample_ids())
def test_translated_formulas_write_decimals_with_a_comma(sample):
    module = load_sample(sample)
    found = []
    for language in ("es", "fr"):
        for key, entry in module.translations.get(language, {}).items():
            text = entry.text or ""
            spans = math_spans(text)
            found += [(language, key, m.group()) for m in POINT_DECIMAL.finditer(text)
                      if any(a < m.start() < b for a, b in spans)]
    assert found == []
