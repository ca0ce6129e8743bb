"""Word's special characters turned into plain lines.

Binary Word text marks paragraphs with CR, table cells with 0x07 and fields
as 0x13 code 0x14 result 0x15. We keep field results, drop field codes, but
keep the target of HYPERLINK fields (often the only copy of a LinkedIn URL).
"""

from __future__ import annotations

import re

_HYPERLINK = re.compile(r'HYPERLINK\s+(?:\\l\s+)?"([^"]+)"')
_TRANSLATE = str.maketrans(
    {
        "\r": "\n",
        "\x07": "\n",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x0e": "\n",
        "\x1e": "-",
        "\x1f": "",
        "\xa0": " ",
        "\x01": "",
        "\x08": "",
        "\x05": "",
        "\x02": "",
        "\x03": "",
        "\x04": "",
    }
)


def clean_word_text(text: str) -> str:
    text = _strip_fields(text).translate(_TRANSLATE)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _strip_fields(text: str) -> str:
    """Replace each field by its result; remember hyperlink targets."""
    if "\x13" not in text:
        return text
    out: list[str] = []
    stack: list[dict] = []
    for char in text:
        if char == "\x13":
            stack.append({"code": [], "in_code": True, "result": []})
        elif char == "\x14" and stack:
            stack[-1]["in_code"] = False
        elif char == "\x15" and stack:
            field = stack.pop()
            piece = _field_text(field)
            (stack[-1]["code" if stack[-1]["in_code"] else "result"] if stack else out).append(piece)
        elif stack:
            stack[-1]["code" if stack[-1]["in_code"] else "result"].append(char)
        else:
            out.append(char)
    return "".join(out)


def _field_text(field: dict) -> str:
    result = "".join(field["result"])
    target = _HYPERLINK.search("".join(field["code"]))
    if target and target.group(1).removeprefix("mailto:") not in result:
        return f"{result} {target.group(1)}".strip()
    return result
