"""How IOS echoes the line being typed on a vty: past the right margin the line scrolls left ten
columns at a time and a `$` at the left marks its hidden start (the keyboard scrolling of the IOS
line editor). The margin is the terminal width (`terminal width`, 80 by default; 0: none) less the
prompt and one column for the cursor. Pure: characters in, bytes to echo out.

A scroll redraws the input area in place: backspaces to its first column, `$` and the visible tail
of the line, spaces over what is left of the old text, and backspaces back to the cursor; this is
what Netmiko's backspace stripping and IOS configuration guides (`$ 101 permit tcp ...`) show.
"""

from __future__ import annotations

SHIFT = 10  # columns the line moves left at each scroll
MIN_COLUMNS = SHIFT + 2  # a narrower input area does not scroll
BACKSPACE = b"\b"


class LineEcho:
    """The echo of one input line after one prompt."""

    def __init__(self) -> None:
        self._columns = 0
        self._line = bytearray()
        self._offset = 0  # index of the first character shown after the `$` (0: not scrolled)
        self._cursor = 0  # columns used after the prompt

    def reset(self, prompt: str, width: int) -> None:
        """A new prompt was painted; `width`: the terminal width (0: the line never scrolls)."""
        columns = width - len(prompt) - 1 if width > 0 else 0
        self._columns = columns if columns >= MIN_COLUMNS else 0
        self._line.clear()
        self._offset = 0
        self._cursor = 0

    @property
    def scrolled(self) -> bool:
        return self._offset > 0

    def visible(self) -> bytes:
        """What the input area shows now (to repaint it after the prompt)."""
        return b"$" + bytes(self._line[self._offset :]) if self._offset else bytes(self._line)

    def type(self, byte: int) -> bytes:
        """Echo of one typed character."""
        self._line.append(byte)
        if not self._columns or self._cursor + 1 <= self._columns:
            self._cursor += 1
            return bytes([byte])
        return self._redraw(self._offset + SHIFT if self._offset else SHIFT + 1)

    def erase(self) -> bytes:
        """Echo of a backspace (nothing to erase: nothing)."""
        if not self._line:
            return b""
        self._line.pop()
        if self._offset and len(self._line) <= self._offset:  # nothing left after the `$`: scroll back
            return self._redraw(self._offset - SHIFT if self._offset > SHIFT + 1 else 0)
        self._cursor -= 1
        return b"\b \b"

    def _redraw(self, offset: int) -> bytes:
        self._offset = offset
        shown = self.visible()
        leftover = self._cursor - len(shown)
        out = BACKSPACE * self._cursor + shown
        if leftover > 0:
            out += b" " * leftover + BACKSPACE * leftover
        self._cursor = len(shown)
        return out
