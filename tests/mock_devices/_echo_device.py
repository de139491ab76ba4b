"""A tiny IOS-like stand-in Device for front-end tests (no licensing, no config store).

It implements interface.Device/Session just enough to exercise the terminal rules: user and
privileged exec, `enable` with a secret, config mode, `terminal length`, long output,
and the fault replies (delay, hang, drop, close).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_devices.interface import Reply, Session

USERNAME = "admin"
PASSWORD = "s3cret-pw"
ENABLE_SECRET = "en-s3cret"
LONG_LINES = 60


@dataclass
class EchoSession:
    hostname: str
    privileged: bool = True
    terminal_length: int = 24
    terminal_width: int = 80
    scrolls_long_lines: bool = False
    logging_synchronous: bool = True
    log_lines: list[str] = field(default_factory=list)  # messages a test hands out

    def set_log_listener(self, listener: object) -> None:
        pass

    def take_logs(self) -> list[str]:
        lines, self.log_lines = self.log_lines, []
        return lines

    def next_log_in(self) -> float | None:
        return 0.0 if self.log_lines else None

    banner_text: str = ""
    mode: str = "exec"  # exec | config | enable-password
    lines_seen: list[str] = field(default_factory=list)

    def banner(self) -> str:
        return self.banner_text

    def prompt(self) -> str:
        if self.mode == "config":
            return f"{self.hostname}(config)#"
        return f"{self.hostname}{'#' if self.privileged else '>'}"

    def handle_line(self, line: str) -> Reply:
        self.lines_seen.append(line)
        if self.mode == "enable-password":
            self.mode = "exec"
            if line == ENABLE_SECRET:
                self.privileged = True
                return Reply("", self.prompt())
            return Reply("% Access denied\n", self.prompt())
        command = line.strip()
        if self.mode == "config":
            if command == "end":
                self.mode = "exec"
            elif command.startswith("bad"):
                return Reply("% Invalid input detected at '^' marker.\n", self.prompt())
            return Reply("", self.prompt())
        if command == "":
            return Reply("", self.prompt())
        if command == "enable":
            if self.privileged:
                return Reply("", self.prompt())
            self.mode = "enable-password"
            return Reply("", "Password: ", echo_next=False)
        if command == "configure terminal":
            self.mode = "config"
            return Reply("Enter configuration commands, one per line.  End with CNTL/Z.\n", self.prompt())
        if command.startswith("terminal length "):
            self.terminal_length = int(command.split()[-1])
            return Reply("", self.prompt())
        if command.startswith("terminal width "):
            self.terminal_width = int(command.split()[-1])
            return Reply("", self.prompt())
        if command == "show long":
            return Reply("".join(f"line {i}\n" for i in range(1, LONG_LINES + 1)), self.prompt())
        if command.startswith("slow "):
            return Reply(f"slept {command.split()[1]}\n", self.prompt(), delay_s=float(command.split()[1]))
        if command == "hang":
            return Reply("", self.prompt(), hang=True)
        if command == "drop":
            return Reply("", self.prompt(), drop=True)
        if command in ("exit", "logout"):
            return Reply("", self.prompt(), close=True)
        if command.startswith("echo "):
            return Reply(command[5:] + "\n", self.prompt())
        return Reply(f"% Invalid input detected at '^' marker.\n[{command}]\n", self.prompt())


@dataclass
class EchoDevice:
    name: str
    host: str
    port: int
    max_sessions: int = 2
    privileged: bool = True
    banner_text: str = ""
    sessions: list[EchoSession] = field(default_factory=list)
    closed: list[EchoSession] = field(default_factory=list)

    def check_login(self, username: str, password: str) -> bool:
        return username == USERNAME and password == PASSWORD

    def open_session(self) -> EchoSession | None:
        if len(self.sessions) >= self.max_sessions:
            return None
        session = EchoSession(self.name, privileged=self.privileged, banner_text=self.banner_text)
        self.sessions.append(session)
        return session

    def close_session(self, session: Session) -> None:
        assert isinstance(session, EchoSession)
        self.sessions.remove(session)
        self.closed.append(session)
