"""Command-name normalisation: turn what an engineer types (`sh lic stat`,
`sh run | sec call-home`) into the one canonical command each parser is keyed by."""

from __future__ import annotations

from fleetreg.core.errors import ParseError

SHOW_LICENSE_STATUS = "show license status"
SHOW_LICENSE_ALL = "show license all"
SHOW_LICENSE_SUMMARY = "show license summary"
SHOW_CALL_HOME_PROFILE_ALL = "show call-home profile all"
SHOW_CALL_HOME_SMART_LICENSING = "show call-home smart-licensing"
SHOW_CALL_HOME = "show call-home"
SHOW_VERSION = "show version"
SHOW_RUNNING_CONFIG = "show running-config"
SHOW_RUNNING_CONFIG_CALL_HOME = "show running-config | section call-home"

SUPPORTED_COMMANDS: tuple[str, ...] = (
    SHOW_LICENSE_STATUS,
    SHOW_LICENSE_ALL,
    SHOW_LICENSE_SUMMARY,
    SHOW_CALL_HOME_PROFILE_ALL,
    SHOW_CALL_HOME_SMART_LICENSING,
    SHOW_CALL_HOME,
    SHOW_VERSION,
    SHOW_RUNNING_CONFIG,
    SHOW_RUNNING_CONFIG_CALL_HOME,
)

# Shortest prefix IOS-XE accepts for each keyword (close enough to the real parser's
# ambiguity rules for the handful of commands we support).
_MIN_PREFIX: dict[str, int] = {
    "show": 2,
    "license": 3,
    "status": 3,
    "all": 1,
    "summary": 3,
    "call-home": 4,
    "profile": 3,
    "smart-licensing": 2,
    "version": 3,
    "running-config": 3,
    "section": 1,
}

_SECTION_FILTER = ("section", "call-home")


def _word_matches(typed: str, keyword: str) -> bool:
    return keyword.startswith(typed) and len(typed) >= _MIN_PREFIX[keyword]


def _words_match(typed: list[str], keywords: tuple[str, ...]) -> bool:
    return len(typed) == len(keywords) and all(map(_word_matches, typed, keywords))


def normalise_command(command: str) -> str:
    """Canonical form of `command`, one of SUPPORTED_COMMANDS; ParseError if unsupported."""
    main, _, output_filter = command.strip().partition("|")
    typed = main.lower().split()
    filter_words = output_filter.lower().split()
    for canonical in SUPPORTED_COMMANDS:
        canon_main, _, canon_filter = canonical.partition(" | ")
        if not _words_match(typed, tuple(canon_main.split())):
            continue
        if not canon_filter and not output_filter.strip():
            return canonical
        if canon_filter and _filter_matches(filter_words):
            return canonical
    raise ParseError(
        f"unsupported command; supported: {', '.join(SUPPORTED_COMMANDS)}",
        command=command.strip(),
    )


def _filter_matches(filter_words: list[str]) -> bool:
    if len(filter_words) != 2:
        return False
    section, pattern = filter_words
    return _word_matches(section, _SECTION_FILTER[0]) and pattern.strip("\"'") == _SECTION_FILTER[1]
