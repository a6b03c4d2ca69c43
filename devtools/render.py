"""Adaptive Cards as terminal text, for the terminal chat.

Pure functions: a card dict in, lines and numbered buttons out. Markdown in TextBlocks is kept as is
(it reads well in a terminal), with its backslash escapes resolved as Teams shows them; bold text is ANSI bold on a terminal and `**…**` elsewhere. Each
clickable action gets a number; `Button.inputs` are the `Input.*` fields a click collects, as Teams does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ANSI", "PLAIN", "Button", "RenderedCard", "Style", "input_summary", "render_card", "render_text"]

Element = dict[str, Any]

_CLICKABLE = frozenset({"Action.Execute", "Action.Submit", "Action.OpenUrl"})
_WIDE_SPACING = frozenset({"medium", "large", "extralarge", "padding"})
_MENTION = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
# CommonMark: a backslash before ASCII punctuation shows that character literally.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Style:
    """How emphasis looks: ANSI escapes on a terminal, Markdown-like marks in plain text."""

    bold_on: str
    bold_off: str
    dim_on: str
    dim_off: str
    accent_on: str = ""
    accent_off: str = ""

    def bold(self, text: str) -> str:
        return f"{self.bold_on}{text}{self.bold_off}" if text else text

    def accent(self, text: str) -> str:
        """Emphasis for the chat's own labels: bold on a terminal, nothing in plain text."""
        return f"{self.accent_on}{text}{self.accent_off}" if text else text

    def dim(self, text: str) -> str:
        return f"{self.dim_on}{text}{self.dim_off}" if text else text


PLAIN = Style("**", "**", "", "")
ANSI = Style("\x1b[1m", "\x1b[0m", "\x1b[2m", "\x1b[0m", "\x1b[1m", "\x1b[0m")


@dataclass(frozen=True)
class Button:
    """A numbered action of a rendered card, with the inputs a click on it submits."""

    number: int
    action: Element
    inputs: tuple[Element, ...] = ()

    @property
    def title(self) -> str:
        return str(self.action.get("title") or self.action.get("verb") or self.action.get("type"))


@dataclass
class RenderedCard:
    lines: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render_text(text: str) -> str:
    """Text as Teams shows it: `<at>Name</at>` becomes `@Name`, backslash escapes are resolved.

    The rest of the Markdown (`**bold**`, lists, links) is kept: it reads well in a terminal.
    """
    return _ESCAPED.sub(r"\1", _MENTION.sub(r"@\1", text))


def render_card(card: Element, *, first_number: int = 1, style: Style = PLAIN) -> RenderedCard:
    """`card` as lines of text; its buttons numbered from `first_number` in reading order."""
    renderer = _Renderer(style, first_number)
    renderer.card(card, scope=(), indent="")
    return RenderedCard(renderer.lines, renderer.buttons)


def input_summary(element: Element) -> str:
    """How an input field is shown in a card: `[id] placeholder` (choices and toggles spelled out)."""
    kind = element.get("type")
    hint = str(element.get("placeholder") or "")
    if kind == "Input.ChoiceSet":
        hint = " / ".join(
            str(choice.get("title", choice.get("value"))) for choice in element.get("choices", [])
        )
    elif kind == "Input.Toggle":
        # Checked as the card sets it (Adaptive Cards: on when `value` equals `valueOn`, "true" by default).
        checked = element.get("value") == element.get("valueOn", "true")
        hint = f"{'☑' if checked else '☐'} {element.get('title', '')}"
    value = element.get("value")
    if value not in (None, "") and kind != "Input.Toggle":
        hint = f"{hint} (= {value})" if hint else f"(= {value})"
    return f"[{element.get('id', '?')}] {hint}".rstrip()


def _inputs_of(elements: list[Element]) -> list[Element]:
    """Every input among `elements` and their children, in order (not inside ShowCards)."""
    found: list[Element] = []
    for element in elements:
        if not isinstance(element, dict) or element.get("isVisible") is False:
            continue
        if str(element.get("type", "")).startswith("Input."):
            found.append(element)
        found.extend(_inputs_of(_children(element)))
    return found


def _children(element: Element) -> list[Element]:
    kind = element.get("type")
    if kind in {"Container", "Column"}:
        return element.get("items") or []
    if kind == "ColumnSet":
        return element.get("columns") or []
    if kind == "Table":
        return [cell for row in element.get("rows") or [] for cell in row.get("cells") or []]
    if kind == "TableCell":
        return element.get("items") or []
    return []


class _Renderer:
    def __init__(self, style: Style, first_number: int) -> None:
        self.style = style
        self.next_number = first_number
        self.lines: list[str] = []
        self.buttons: list[Button] = []

    def card(self, card: Element, *, scope: tuple[Element, ...], indent: str) -> None:
        body = card.get("body") or []
        # An action submits the inputs of its own card and of the cards around it (a ShowCard's parent).
        scope = (*scope, *_inputs_of(body))
        for element in body:
            self.element(element, scope=scope, indent=indent)
        self.actions(card.get("actions") or [], scope=scope, indent=indent)

    def element(self, element: Element, *, scope: tuple[Element, ...], indent: str) -> None:
        if not isinstance(element, dict) or element.get("isVisible") is False:
            return
        if element.get("separator") or str(element.get("spacing", "")).lower() in _WIDE_SPACING:
            self._blank_line()
        kind = str(element.get("type", ""))
        if kind == "TextBlock":
            self._text(element, indent)
        elif kind == "RichTextBlock":
            runs = element.get("inlines") or []
            self._add(
                "".join(run if isinstance(run, str) else str(run.get("text", "")) for run in runs), indent
            )
        elif kind == "FactSet":
            for fact in element.get("facts") or []:
                self._add(render_text(f"{fact.get('title', '')}: {fact.get('value', '')}"), indent)
        elif kind == "Image":
            self._add(self.style.dim(f"[image: {element.get('altText') or element.get('url', '')}]"), indent)
        elif kind == "ActionSet":
            self.actions(element.get("actions") or [], scope=scope, indent=indent)
        elif kind.startswith("Input."):
            label = element.get("label")
            self._add(f"{label}: {input_summary(element)}" if label else input_summary(element), indent)
        elif kind == "Table":
            for row in element.get("rows") or []:
                cells = [_plain_cell(cell) for cell in row.get("cells") or []]
                self._add(" | ".join(cells), indent)
        elif _children(element):
            for child in _children(element):
                self.element(child, scope=scope, indent=indent)
        elif kind not in {"Column", "Container"}:
            self._add(self.style.dim(f"[{kind or 'element'}]"), indent)

    def actions(self, actions: list[Element], *, scope: tuple[Element, ...], indent: str) -> None:
        for action in actions:
            kind = action.get("type")
            if kind in _CLICKABLE:
                button = Button(self.next_number, action, () if _no_inputs(action) else scope)
                self.next_number += 1
                self.buttons.append(button)
                suffix = f"  {self.style.dim(str(action.get('url', '')))}" if kind == "Action.OpenUrl" else ""
                self._add(f"[{button.number}] {button.title}{suffix}", indent)
            elif kind == "Action.ShowCard" and isinstance(action.get("card"), dict):
                # Shown already opened: the terminal has no room to expand it later.
                self._add(f"▾ {action.get('title', '')}", indent)
                self.card(action["card"], scope=scope, indent=indent + "    ")

    def _text(self, element: Element, indent: str) -> None:
        text = render_text(str(element.get("text", "")))
        for line in [line.rstrip() for line in text.splitlines()] or [""]:  # "  \n" is a Markdown line break
            if element.get("weight", "").lower() == "bolder":
                line = self.style.bold(line)
            elif element.get("isSubtle"):
                line = self.style.dim(line)
            self._add(line, indent)

    def _add(self, line: str, indent: str) -> None:
        self.lines.append(f"{indent}{line}")

    def _blank_line(self) -> None:
        if self.lines and self.lines[-1].strip():
            self.lines.append("")


def _no_inputs(action: Element) -> bool:
    return action.get("type") == "Action.OpenUrl" or str(action.get("associatedInputs", "")).lower() == "none"


def _plain_cell(cell: Element) -> str:
    return " ".join(
        str(item.get("text", "")) for item in cell.get("items") or [] if item.get("type") == "TextBlock"
    )
