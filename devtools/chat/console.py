"""The chat's output: what it writes, the prompt, and the framing of the bot's messages."""

from __future__ import annotations

from collections.abc import Callable

from devtools.render import PLAIN, Style

Prompt = str | Callable[[], str]
"""A prompt, or how to make it: the main prompt names the current thread, which may change meanwhile."""


class Console:
    """Writes the chat; output that arrives while a prompt is showing goes above a fresh prompt."""

    def __init__(self, write: Callable[[str], None], *, style: Style = PLAIN, interactive: bool = False):
        self._write = write
        self.style = style
        self.interactive = interactive
        self._prompt: Prompt | None = None

    def show(self, text: str) -> None:
        waiting = self.interactive and self._prompt is not None
        if waiting:
            self._write("\n")
        self._write(text + "\n")
        if waiting:
            self._write(self._prompt_text())

    def note(self, text: str) -> None:
        """A line from the chat itself, not from the bot."""
        self.show(self.style.dim(f"· {text}"))

    def prompt(self, prompt: Prompt) -> None:
        self._prompt = prompt
        if self.interactive:
            self._write(self._prompt_text())

    def answered(self, line: str | None) -> None:
        """The prompt has been answered; without a terminal to echo it, the transcript shows it."""
        if not self.interactive and line is not None and self._prompt is not None:
            self._write(f"{self._prompt_text()}{line}\n")
        self._prompt = None

    def _prompt_text(self) -> str:
        return self._prompt() if callable(self._prompt) else self._prompt or ""


def indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def framed(text: str) -> str:
    """A card's text with a bar on its left, so cards stand apart from plain messages."""
    return "\n".join(f"│ {line}" for line in text.splitlines())
