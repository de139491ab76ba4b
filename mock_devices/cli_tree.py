"""IOS command keyword trees: abbreviation matching and the three IOS parser errors.

A tree is a list of `Node`s. A keyword node matches any prefix of its keyword (`sh` for
`show`); a parameter node matches a word, an integer in a range, or the rest of the line.
A node with an `action` completes a command. Matching is pure: it returns a `Match` or a
`CliError` that `render_error` turns into the exact text IOS prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal["keyword", "word", "int", "line"]


@dataclass(frozen=True)
class Node:
    text: str  # the keyword, or the parameter's name for parameter nodes
    kind: NodeKind = "keyword"
    children: tuple[Node, ...] = ()
    action: str | None = None
    low: int = 0
    high: int = 0


def kw(text: str, *children: Node, action: str | None = None) -> Node:
    return Node(text, "keyword", tuple(children), action)


def word(name: str, *children: Node, action: str | None = None) -> Node:
    return Node(name, "word", tuple(children), action)


def num(name: str, low: int, high: int, *children: Node, action: str | None = None) -> Node:
    return Node(name, "int", tuple(children), action, low, high)


def rest(name: str, action: str) -> Node:
    """Takes the rest of the line verbatim (descriptions, URLs with spaces are rare but legal)."""
    return Node(name, "line", (), action)


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # column in the input line


@dataclass
class Match:
    action: str
    keywords: list[str]  # the full keywords matched, in order (parameters excluded)
    args: dict[str, str] = field(default_factory=dict)

    @property
    def command(self) -> str:
        """Canonical spelling of the keywords, e.g. 'license smart register idtoken'."""
        return " ".join(self.keywords)


@dataclass(frozen=True)
class CliError:
    kind: Literal["invalid", "ambiguous", "incomplete"]
    column: int  # where the caret goes (invalid) / end of the ambiguous token
    text: str = ""  # the input up to the ambiguous token


_TOKEN_RE = re.compile(r'"[^"]*"?|\S+')


def tokenize(line: str) -> list[Token]:
    """Whitespace-separated words; a double-quoted string is one word (profile "CiscoTAC-1")."""
    return [Token(m.group(0), m.start()) for m in _TOKEN_RE.finditer(line)]


def unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return value


def _param_accepts(node: Node, token: str) -> bool:
    if node.kind == "word" or node.kind == "line":
        return True
    if node.kind == "int":
        return token.isdigit() and node.low <= int(token) <= node.high
    return False


def match(tree: tuple[Node, ...] | list[Node], line: str) -> Match | CliError:
    """Match one input line against a tree, IOS style (keywords before parameters)."""
    tokens = tokenize(line)
    level: tuple[Node, ...] = tuple(tree)
    current: Node | None = None
    keywords: list[str] = []
    args: dict[str, str] = {}
    for index, token in enumerate(tokens):
        lowered = token.text.lower()
        keyword_hits = [n for n in level if n.kind == "keyword" and n.text.lower().startswith(lowered)]
        exact = [n for n in keyword_hits if n.text.lower() == lowered]
        chosen: Node | None = None
        if exact:
            chosen = exact[0]
        elif len(keyword_hits) == 1:
            chosen = keyword_hits[0]
        elif len(keyword_hits) > 1:
            return CliError("ambiguous", token.start + len(token.text), line[: token.start + len(token.text)])
        else:
            params = [n for n in level if n.kind != "keyword" and _param_accepts(n, token.text)]
            if params:
                chosen = params[0]
        if chosen is None:
            return CliError("invalid", token.start)
        current = chosen
        if chosen.kind == "keyword":
            keywords.append(chosen.text)
        elif chosen.kind == "line":
            args[chosen.text] = line[token.start :].rstrip()
            return Match(chosen.action or "", keywords, args)
        else:
            args[chosen.text] = unquote(token.text)
        level = chosen.children
        if not level and index + 1 < len(tokens):
            return CliError("invalid", tokens[index + 1].start)
    if current is None or current.action is None:
        return CliError("incomplete", len(line))
    return Match(current.action, keywords, args)


def render_error(error: CliError, prompt: str) -> str:
    """The text IOS prints for a parser error; the caret is under the offending word as seen on
    the terminal, i.e. shifted by the prompt's width."""
    if error.kind == "ambiguous":
        return f'% Ambiguous command:  "{error.text}"\n'
    if error.kind == "incomplete":
        return "% Incomplete command.\n\n"
    caret = " " * (len(prompt) + error.column) + "^"
    return f"{caret}\n% Invalid input detected at '^' marker.\n\n"
