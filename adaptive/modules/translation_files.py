"""Writing sibling translation files (``fractions.es.yaml``): templates and stamping.

``translation_yaml`` lays a translation out in the module's order, each string preceded by
the original as a comment, so a translator reads both side by side. Used by
``branchwise module translations --template/--stamp``. Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from adaptive.modules.format import Module, TextKey, TranslatedText
from adaptive.modules.translations import (
    is_rule_key,
    needs_translation,
    source_hash,
    source_texts,
    translation_leaf,
)

__all__ = ["translation_yaml"]

_PLAIN_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _key(name: str) -> str:
    # Positions ("0") are written as numbers: YAML reads them back as ints, which the
    # loader turns into the same strings.
    return name if _PLAIN_KEY.match(name) or name.isdigit() else yaml.safe_dump(name).strip()


class _Dumper(yaml.SafeDumper):
    pass


# What the loader's YAML 1.2 rules would read as a number or boolean: a hash such as
# "03025905" or "1e570000" must be quoted to stay a string.
_NOT_STR = re.compile(r"^(?:[-+]?[0-9._]+(?:[eE][-+]?[0-9]+)?|[-+]?\.?(?:inf|nan)|true|false|"
                      r"null|~|0x[0-9a-fA-F]+)$", re.I)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style: str | None = None
    if "\n" in value.strip("\n"):
        style = "|"
    elif _NOT_STR.match(value):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _leaf(entry: Mapping[str, Any], indent: int) -> list[str]:
    text = yaml.dump(dict(entry), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)
    pad = " " * indent
    return [pad + line for line in text.rstrip("\n").split("\n")]


def _comment(original: str, indent: int, language: str) -> str:
    one_line = " ".join(original.split())
    if len(one_line) > 96:
        one_line = one_line[:95] + "…"
    return " " * indent + f"# {language}: {one_line}"


def translation_yaml(
    module: Module,
    language: str,
    table: Mapping[TextKey, TranslatedText] | None = None,
    *,
    stamp: bool = False,
    blanks: bool = True,
) -> str:
    """The sibling translation file of ``module`` in ``language``.

    Strings of ``table`` are kept as they are; with ``stamp`` a string without a source
    hash gets the hash of the current original (a stale one keeps its old hash — the
    validator keeps reporting it until someone re-translates it and re-stamps by hand);
    with ``blanks`` every missing text is written empty (``text: ""``) to fill in.
    Translations of texts the module no longer has are kept at the end.
    """
    table = dict(table or {})
    lines = [f"translation_of: {module.id}", f"language: {language}"]
    written: list[TextKey] = []
    previous: TextKey = ()
    for src in source_texts(module):
        entry = table.get(src.key)
        if entry is None and not (blanks and needs_translation(src.text)):
            continue
        data: dict[str, Any]
        if entry is None:
            data = {"source": source_hash(src.text)} if src.rule else {
                "text": "", "source": source_hash(src.text)}
        else:
            data = translation_leaf(entry, src.rule)
            if stamp and entry.source is None:
                data["source"] = source_hash(src.text)
        _emit(lines, previous, src.key, data, src.text, module.language)
        previous = src.key
        written.append(src.key)
    leftovers = [k for k in table if k not in set(written)]
    if leftovers:
        lines.append("# Translations of texts this module no longer has:")
    for key in leftovers:
        _emit(lines, previous, key, translation_leaf(table[key], is_rule_key(key)), None,
              module.language)
        previous = key
    return "\n".join(lines) + "\n"


def _emit(lines: list[str], previous: TextKey, key: TextKey, data: dict[str, Any],
          original: str | None, language: str) -> None:
    # Open the mappings this key needs that the previous key did not share.
    common = 0
    while common < min(len(previous), len(key)) - 1 and previous[common] == key[common]:
        common += 1
    if common == 0 and key[:1] != previous[:1] and len(key) > 1:
        lines.append("")
    for depth in range(common, len(key) - 1):
        lines.append("  " * depth + _key(key[depth]) + ":")
    depth = len(key) - 1
    if original is not None:
        lines.append(_comment(original, depth * 2, language))
    lines.append("  " * depth + _key(key[-1]) + ":")
    lines.extend(_leaf(data, depth * 2 + 2))
