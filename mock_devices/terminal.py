"""Line discipline of an IOS vty: bytes in, bytes (and timing actions) out. No I/O.

The SSH shell feeds received bytes with `feed()` and then drains `next_action()` until it
returns None, executing each action: `Write` (send bytes), `Delay` (wait until `seconds` after
the line's Enter arrived, then keep draining; input received meanwhile is only queued),
`Hang` (never answer again), `Drop` (abort the TCP connection) and `Close` (close the session
after the output already written).

Why input is consumed lazily: IOS echoes a character only when the line discipline gets to
it. While a command is running (delay pending, output or --More-- being shown) typed-ahead
input stays queued and is echoed after the next prompt, which is what keeps the prompts that
Netmiko and scrapli wait for intact.

Asynchronous log messages (`log()`, a vty with `terminal monitor`) land as on IOS: with `logging
synchronous` (the session says which) a message waits for the running command's output, then
shows on its own line and the prompt and the partly typed line are reprinted; without it, it
shows at once where it falls: between two output lines of a running command, or after the prompt
(the typed part is not reprinted).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

from mock_devices.interface import Reply, Session
from mock_devices.line_echo import LineEcho

CR, LF, NUL = 0x0D, 0x0A, 0x00
BACKSPACE, DEL = 0x08, 0x7F
CTRL_C, CTRL_Z, ESC = 0x03, 0x1A, 0x1B
MORE = b" --More-- "
# IOS wipes the --More-- marker with backspaces, spaces, backspaces before continuing.
MORE_ERASE = b"\b" * len(MORE) + b" " * len(MORE) + b"\b" * len(MORE)
MAX_LINE = 4096  # longer input lines are truncated (IOS limits a line too)
MAX_QUEUED_INPUT = 1 << 20  # input queued while busy beyond this is dropped


@dataclass(frozen=True)
class Write:
    data: bytes


@dataclass(frozen=True)
class Delay:
    """Answer no sooner than `seconds` after `since`, when the line's Enter arrived (feed's `at`).

    Latency is the network's and the switch's per line, counted from each line's arrival: lines
    typed one at a time each wait it in full, lines pasted together wait it about once (a real
    switch does not make pasted lines queue for one round trip each)."""

    seconds: float
    since: float = 0.0


@dataclass(frozen=True)
class Hang:
    pass


@dataclass(frozen=True)
class Drop:
    pass


@dataclass(frozen=True)
class Close:
    pass


Action = Write | Delay | Hang | Drop | Close


class Mode(Enum):
    LINE = "line"  # reading a command line, echoing
    MORE = "more"  # output stopped at --More--, waiting for a key
    HUNG = "hung"  # a command that never answers; input is read and discarded
    CLOSED = "closed"


def to_wire(text: str) -> bytes:
    """Switch text ("\\n" line endings) to terminal bytes ("\\r\\n")."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", errors="replace")


def is_config_prompt(prompt: str) -> bool:
    return prompt.endswith(")#")  # sw(config)#, sw(cfg-call-home)#, sw(ca-trustpoint)#


class Terminal:
    """One vty line discipline around one behaviour `Session`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.mode = Mode.LINE
        self._input = bytearray()
        self._line = bytearray()
        self._actions: deque[Action] = deque()
        self._echo = True
        self._prompt = ""
        self._after_cr = False  # last consumed byte was CR: a following LF is the same Enter
        self._escape = 0  # bytes of an ANSI escape sequence still to skip
        self._more_lines: list[str] = []
        self._more_reply: Reply | None = None
        self._arrivals: deque[tuple[int, float]] = deque()  # (bytes fed up to the chunk's end, its time)
        self._fed = 0
        self._taken = 0
        self._taken_at = 0.0  # when the byte consumed last arrived
        self._editor = LineEcho()  # the echo of the line being typed (scrolls with `$` when the session says so)
        self._held: list[bytes] = []  # log messages waiting for the end of a --More-- pause
        self._last_inserted: Write | None = None  # the log message last put between output lines

    # -- driving ---------------------------------------------------------------------------
    def start(self) -> None:
        """Queue the banner and the first prompt (nothing after the prompt)."""
        banner = self.session.banner()
        self._prompt = self.session.prompt()
        self._new_line()
        data = b""
        if banner:
            data = to_wire(banner if banner.endswith("\n") else banner + "\n")
        self._emit(Write(data + to_wire(self._prompt)))

    def feed(self, data: bytes, at: float = 0.0) -> None:
        """Queue input that arrived at time `at` (the front end's clock)."""
        if self.mode in (Mode.HUNG, Mode.CLOSED):
            return
        room = MAX_QUEUED_INPUT - len(self._input)
        if room > 0:
            kept = data[:room]
            self._input += kept
            self._fed += len(kept)
            self._arrivals.append((self._fed, at))

    def _take(self) -> int:
        byte = self._input.pop(0)
        self._taken += 1
        while self._arrivals and self._arrivals[0][0] < self._taken:
            self._arrivals.popleft()
        if self._arrivals:
            self._taken_at = self._arrivals[0][1]
        return byte

    def next_action(self) -> Action | None:
        """The next thing to do, or None when waiting for input. Adjacent writes are merged."""
        while not self._actions and self._input and self.mode in (Mode.LINE, Mode.MORE):
            self._consume(self._take())
        if not self._actions:
            return None
        action = self._actions.popleft()
        if isinstance(action, Write):
            chunks = [action.data]
            while True:
                while not self._actions and self._input and self.mode in (Mode.LINE, Mode.MORE):
                    self._consume(self._take())
                if self._actions and isinstance(self._actions[0], Write):
                    chunks.append(self._actions.popleft().data)  # type: ignore[union-attr]
                else:
                    break
            return Write(b"".join(chunks))
        return action

    @property
    def pending_input(self) -> bytes:
        return bytes(self._input)

    def log(self, line: str) -> None:
        """An asynchronous message (one line, no line ending) for this vty."""
        if self.mode in (Mode.HUNG, Mode.CLOSED):
            return
        message = to_wire(line)
        if self.mode is Mode.MORE:
            self._held.append(message)  # shown with the next page (or after the last, synchronous)
        elif self.session.logging_synchronous:  # after whatever is still to be written: then the prompt again
            self._emit(Write(b"\r\n" + message + b"\r\n" + self._reprint()))
        elif self._actions:  # a command's output (after its latency) is still to come
            self._insert_into_output(message)
        else:
            self._emit(Write(b"\r\n" + message + b"\r\n"))

    def _reprint(self) -> bytes:
        """The prompt and what is typed so far, as `logging synchronous` repaints them."""
        return to_wire(self._prompt) + (self._editor.visible() if self._echo else b"")

    def _insert_into_output(self, message: bytes) -> None:
        """After the first line end still to be written (else before what is left: the prompt), and
        after the messages inserted there before it."""
        new = Write(message + b"\r\n")
        for index, action in enumerate(self._actions):
            if action is self._last_inserted:
                self._actions.insert(index + 1, new)
                self._last_inserted = new
                return
        self._last_inserted = new
        for index, action in enumerate(self._actions):
            if isinstance(action, Write) and b"\r\n" in action.data:
                cut = action.data.index(b"\r\n") + 2
                self._actions[index] = Write(action.data[:cut])
                self._actions.insert(index + 1, new)
                if action.data[cut:]:
                    self._actions.insert(index + 2, Write(action.data[cut:]))
                return
        self._actions.appendleft(new)

    # -- input handling --------------------------------------------------------------------
    def _emit(self, action: Action) -> None:
        if isinstance(action, Write) and not action.data:
            return
        self._actions.append(action)

    def _consume(self, byte: int) -> None:
        if byte == NUL:
            return
        after_cr, self._after_cr = self._after_cr, byte == CR
        if byte == LF and after_cr:
            return
        if self.mode is Mode.MORE:
            self._more_key(byte)
            return
        if self._escape:
            self._escape -= 1
            if self._escape == 1 and byte != ord("["):  # ESC x (two-byte sequence) ends here
                self._escape = 0
            return
        if byte in (CR, LF):
            self._enter()
        elif byte in (BACKSPACE, DEL):
            if self._line:
                self._line.pop()
                if self._echo:
                    self._emit(Write(self._editor.erase()))
        elif byte == CTRL_C:
            self._line.clear()
            if is_config_prompt(self._prompt):
                self._emit(Write(b"^C\r\n"))
                self._run_line("end", echo_enter=False)
            else:
                self._emit(Write(b"\r\n" + to_wire(self._prompt)))
                self._new_line()
        elif byte == CTRL_Z:
            if is_config_prompt(self._prompt):
                self._line.clear()
                self._emit(Write(b"^Z\r\n"))
                self._run_line("end", echo_enter=False)
        elif byte == ESC:
            self._escape = 2  # ESC [ X: arrow keys and friends are ignored
        elif byte < 0x20:
            return  # tab, ctrl-A.. : no line editing in the mock
        elif len(self._line) < MAX_LINE:
            self._line.append(byte)
            if self._echo:
                self._emit(Write(self._editor.type(byte)))

    def _enter(self) -> None:
        line = self._line.decode("utf-8", errors="replace")
        self._line.clear()
        self._run_line(line, echo_enter=True)

    def _run_line(self, line: str, *, echo_enter: bool) -> None:
        if echo_enter:
            self._emit(Write(b"\r\n"))
        reply = self.session.handle_line(line)
        if reply.drop:
            self.mode = Mode.CLOSED
            self._input.clear()
            self._emit(Drop())
            return
        if reply.delay_s > 0:
            self._emit(Delay(reply.delay_s, self._taken_at))
        if reply.hang:
            self.mode = Mode.HUNG
            self._input.clear()
            self._emit(Hang())
            return
        self._show(reply)

    # -- output and paging -----------------------------------------------------------------
    def _show(self, reply: Reply) -> None:
        text = reply.output
        if text and not text.endswith("\n"):
            text += "\n"
        lines = text.splitlines(keepends=True)
        page = self.session.terminal_length
        if reply.paginate and page > 0 and len(lines) > page - 1 and not reply.close:
            self._more_reply = reply
            self._more_lines = lines
            self._page(max(page - 1, 1))
            return
        self._emit(Write(to_wire(text)))
        self._finish(reply)

    def _page(self, count: int) -> None:
        chunk, self._more_lines = self._more_lines[:count], self._more_lines[count:]
        if self._held and not self.session.logging_synchronous:  # messages that came during --More--
            held, self._held = self._held, []
            self._emit(Write(b"".join(message + b"\r\n" for message in held)))
        self._emit(Write(to_wire("".join(chunk))))
        if self._more_lines:
            self.mode = Mode.MORE
            self._emit(Write(MORE))
        else:
            self.mode = Mode.LINE
            reply, self._more_reply = self._more_reply, None
            assert reply is not None
            self._finish(reply)

    def _more_key(self, byte: int) -> None:
        self._emit(Write(MORE_ERASE))
        if byte == ord(" "):
            self._page(max(self.session.terminal_length - 1, 1))
        elif byte in (CR, LF):
            self._page(1)
        else:  # q and any other key end the output, as on IOS
            self._more_lines = []
            self._page(0)

    def _finish(self, reply: Reply) -> None:
        if reply.close:
            self.mode = Mode.CLOSED
            self._input.clear()
            self._held.clear()
            self._emit(Close())
            return
        self._prompt = reply.prompt
        self._echo = reply.echo_next
        self._emit(Write(to_wire(reply.prompt)))
        self._new_line()
        if self._held:  # messages held back during the output, then the prompt again
            held, self._held = self._held, []
            self._emit(Write(b"\r\n" + b"\r\n".join(held) + b"\r\n" + self._reprint()))

    def _new_line(self) -> None:
        """A prompt was painted: the echo of the next line starts after it, as wide as the terminal."""
        width = self.session.terminal_width if self.session.scrolls_long_lines else 0
        self._editor.reset(self._prompt, width)
