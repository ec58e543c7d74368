"""Text that comes from data (unit names, indicator names and labels, ids, units), made safe
for a matplotlib figure.

Two rules, applied where such text enters a figure (the matplotlib sink of issue 19):

* it is printed literally: matplotlib reads a string with an even number of unescaped ``$`` as
  mathtext (``$x^2$`` becomes a formula, ``$\\foo$`` raises on draw); every ``$`` is escaped
  as ``\\$``, which matplotlib draws as a plain ``$`` and never parses (:func:`literal`);
* it has a bounded size: a name longer than :data:`LABEL_WIDTH` characters (or with line
  breaks) is wrapped to at most :data:`LABEL_LINES` lines and then cut with an ellipsis
  (:func:`fit_text`), so a 4,500-character name cannot make a figure 100,000 pixels wide.

Names up to :data:`LABEL_WIDTH` characters without ``$`` come out unchanged.
"""

from __future__ import annotations

import textwrap

#: characters per line of a label built from data
LABEL_WIDTH = 40
#: lines of a label built from data; the last one ends with "…" when text was cut
LABEL_LINES = 2
ELLIPSIS = "…"


def literal(text: str) -> str:
    """``text`` escaped so that matplotlib draws it as it is (never as mathtext).

    >>> literal("$x^2$ and 5 $")
    '\\\\$x^2\\\\$ and 5 \\\\$'
    >>> literal("Ái Nghĩa")
    'Ái Nghĩa'
    """
    return text.replace("$", r"\$")


def fit_text(text: str, width: int = LABEL_WIDTH, max_lines: int = LABEL_LINES) -> str:
    """``text`` wrapped to lines of at most ``width`` characters, at most ``max_lines`` of them,
    the last one cut with an ellipsis when text is left over. Lines are balanced: a name that
    needs two lines is split near its middle, not after ``width`` characters with one word
    left for the second line.

    >>> fit_text("Ái Nghĩa")
    'Ái Nghĩa'
    >>> fit_text("Hồ sơ công việc cấp xã được xử lý trên môi trường mạng", width=50)
    'Hồ sơ công việc cấp xã được\\nxử lý trên môi trường mạng'
    >>> fit_text("word " * 30, width=12, max_lines=2)
    'word word\\nword word…'
    >>> fit_text("x" * 4500, width=10, max_lines=1)
    'xxxxxxxxx…'
    """
    if len(text) <= width and "\n" not in text and "\r" not in text:
        return text
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) <= max_lines:
        n = len(lines)
        for w in range(max(1, -(-len(text) // n)), width):  # the narrowest width giving n lines
            balanced = textwrap.wrap(text, w, break_long_words=False)
            if len(balanced) == n and max(map(len, balanced)) <= width:
                return "\n".join(balanced)
        return "\n".join(lines)
    kept = lines[:max_lines]
    kept[-1] = kept[-1][: width - 1].rstrip() + ELLIPSIS
    return "\n".join(kept)


def data_text(text: object, width: int = LABEL_WIDTH, max_lines: int = LABEL_LINES) -> str:
    """Text from data as a figure shows it: bounded (:func:`fit_text`), then literal (:func:`literal`).

    >>> data_text("$\\\\alpha$")
    '\\\\$\\\\alpha\\\\$'
    """
    return literal(fit_text(str(text), width, max_lines))
