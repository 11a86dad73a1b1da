"""Plain text and search tokens from authored Markdown + math (pure, no I/O).

The assistant searches and quotes module text, and checks replies for the answer of
the item on screen. Both need the same plain form: ``$\\frac{3}{4}$`` is "3/4", bold
markers and links are gone, accents are folded for matching ("fracción" ~ "fraccion").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "plain", "sentences", "tokens"]

_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_TEX_WORDS = {
    r"\times": "×", r"\div": "÷", r"\cdot": "·", r"\ne": "≠", r"\neq": "≠", r"\le": "≤",
    r"\leq": "≤", r"\ge": "≥", r"\geq": "≥", r"\to": "→", r"\approx": "≈", r"\pm": "±",
    r"\%": "%", r"\$": "$", r"\ldots": "…", r"\dots": "…", r"\quad": " ", r"\,": " ",
}
_TEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[,;%$])")
_TEX_CMD = re.compile(r"\\(?:text|mathrm|mathbf|textbf|operatorname|bar|overline)\s*\{([^{}]*)\}")
_TEX_OTHER = re.compile(r"\\[a-zA-Z]+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"(\*\*|__|\*|`|~~)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s")
_STAR_ITEM = re.compile(r"(?m)^([ \t]*)[*+][ \t]")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|([0-9a-zA-Z]))")
_SUB = str.maketrans("0123456789+-=()aeioux", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒᵤₓ")
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _fraction(m: re.Match[str]) -> str:
    top, bottom = (p.strip() for p in m.groups())
    wrap = [f"({p})" if " " in p else p for p in (top, bottom)]
    return f"{wrap[0]}/{wrap[1]}"


def _script(m: re.Match[str]) -> str:
    """``Q_1`` → "Q₁", ``26^{10}`` → "26¹⁰"; what has no Unicode form stays "_(…)"."""
    mark, body = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
    table = _SUB if mark == "_" else _SUP
    mapped = body.translate(table)
    if any(c not in table for c in map(ord, body)):  # a letter with no small form
        return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"
    return mapped


def _math(m: re.Match[str]) -> str:
    display = m.group(1) is not None
    text = _SCRIPT.sub(_script, m.group(1) if display else m.group(2))
    return f" {text} " if display else text


def _tables(text: str) -> str:
    """A Markdown table as one line per row, each cell with its column's heading:
    "mean: add up, divide by how many; remember: the fair share" (a quote printed the
    pipes and dashes of the source)."""
    lines = text.splitlines()
    out: list[str] = []
    n = 0
    while n < len(lines):
        if (n + 1 < len(lines) and _TABLE_ROW.match(lines[n])
                and _TABLE_RULE.match(lines[n + 1])):
            heads = [c.strip() for c in lines[n].strip().strip("|").split("|")]
            n += 2
            out.append("")
            while n < len(lines) and _TABLE_ROW.match(lines[n]):
                cells = [c.strip() for c in lines[n].strip().strip("|").split("|")]
                first, rest = cells[0], cells[1:]
                pairs = [f"{h}: {c}" if h else c
                         for h, c in zip(heads[1:], rest, strict=False) if c]
                out.append(f"{first} ({'; '.join(pairs)})" if pairs and first else
                           "; ".join(pairs) or first)
                out.append("")
                n += 1
            continue
        out.append(lines[n])
        n += 1
    return "\n".join(out)


@lru_cache(maxsize=8192)
def plain(markdown: str) -> str:
    """Authored Markdown as plain text: math as "3/4", no emphasis marks, links as their text.

    >>> plain(r"**Simplify** $\\frac{18}{24}$ to $\\frac{3}{4}$ [see](x.html).")
    'Simplify 18/24 to 3/4 see.'
    """
    text = _tables(markdown) if "|" in markdown else markdown
    text = _MATH.sub(_math, text.replace(r"\$", "\x00"))
    text = text.replace("$", "").replace("\x00", "$")
    for _ in range(3):  # nested fractions, innermost first
        text = _FRAC.sub(_fraction, text)
    text = _TEX_CMD.sub(r"\1", text)
    # A whole command at a time: replacing "\\le" as text made "\\left(" read "≤ft(".
    text = _TEX_COMMAND.sub(lambda m: _TEX_WORDS.get(m.group(0), m.group(0)), text)
    text = _TEX_OTHER.sub("", text).replace("{", "").replace("}", "")
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _STAR_ITEM.sub(r"\1- ", text)  # "* item" is a list, not emphasis to strip
    text = _MARKS.sub("", text)
    # Join hard-wrapped lines of a paragraph; keep paragraph and list-item breaks.
    out: list[str] = []
    for line in text.splitlines():
        line = _SPACE.sub(" ", line).strip()
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if out and out[-1] and not _LIST_ITEM.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            # a bullet, not the source's "- " (a quote is read, not re-parsed as Markdown)
            out.append("• " + line[2:] if line.startswith("- ") else line)
    return "\n".join(part for part in out if part)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, for matching ("Fracción" → "fraccion")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+(?=[\"'(¿¡A-ZÁÉÍÓÚÑ0-9$\\])|\n+")


_NUMBERING = re.compile(r"(?:[-*+]|\d+[.)])")


def sentences(text: str) -> list[str]:
    """Plain text split into sentences and list lines (for quoting and redaction)."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = (part or "").strip()
        if not part:
            continue
        if out and _NUMBERING.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {part}"  # "1." of a numbered list belongs to its step
        else:
            out.append(part)
    return out


# Function words of English and Spanish: they match everything and mean nothing here.
_STOP = frozenset(
    """
a an the and or but if of to in on at by for from with without into onto is are was were be
been being am do does did done have has had it its this that these those there here what which
who whom whose how why when where can could would should will shall may might must i me my we
our you your he she they them their his her not no yes so as than then too very just also about
up down out over under again more most some any each every all both one ones get got please
tell explain mean means know understand dont don t s im want need help
el la los las un una unos unas y o u pero si de del al a en con sin por para que qué como cómo
es son era eran ser estar esta este esto estos estas ese esa eso hay lo le les se me mi mis tu
tus su sus yo tú nosotros ellos ellas muy mas más menos también cuál cual cuáles cuando cuándo
donde dónde quien quién porque por qué no sí ya puedo puedes podrias podrías dime explica
explicame explícame significa entiendo entender quiero necesito ayuda favor
""".split()  # noqa: SIM905 - a word list reads better as text
)
_STOP_FOLDED = frozenset(fold(w) for w in _STOP)
_WORD = re.compile(r"[a-z0-9]+(?:[./][0-9]+)?")


def _stem(word: str) -> str:
    # A light suffix strip that merges the usual English and Spanish plurals and verb
    # endings ("fractions"/"fraction", "fracciones"/"fraccion", "simplifying"/"simplify").
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix in ("iones", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("ion" if suffix == "iones" else
                                           "y" if suffix == "ies" else "")
            break
    return word


def tokens(text: str) -> list[str]:
    """Search tokens of plain or Markdown text: folded, stop words dropped, lightly stemmed.

    >>> tokens("¿Cómo simplifico las fracciones?")
    ['simplifico', 'fraccion']
    """
    words = _WORD.findall(fold(text))
    return [_stem(w) for w in words if w not in _STOP_FOLDED]
