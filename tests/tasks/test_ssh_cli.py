"""The asyncssh transport's pure parts: when a read is complete, and what a command returns."""

from __future__ import annotations

import re

from tasks.cli import IOS_XE, step_name
from tasks.ssh_cli import clean_output, pattern_matcher, prompt_matcher

PROMPT = IOS_XE.prompt_re("ams-sw001")


def test_a_command_is_complete_only_at_a_prompt_line_after_its_echo() -> None:
    match = prompt_matcher(PROMPT)
    assert match("show version") is None  # echo not finished
    assert match("show version\r\nCisco IOS XE Software\r\n") is None
    assert match("show version\r\nCisco IOS XE Software\r\nams-sw00") is None
    text = "show version\r\nCisco IOS XE Software\r\nams-sw001#"
    assert match(text) == len(text)
    assert match("write memory\r\nams-sw001(config)#") is not None  # any mode of this switch
    assert match("show run\r\nhostname ams-sw001#x") is None  # not a whole prompt line


def test_without_echo_the_prompt_alone_completes_the_read() -> None:
    match = prompt_matcher(IOS_XE.any_prompt, echo=False)
    assert match("\r\nAuthorised access only\r\n") is None
    assert match("\r\nAuthorised access only\r\nsw1>") is not None
    assert match("sw1#") is not None


def test_prompts_cut_the_hostname_at_16_characters_as_ios_does_in_config_mode() -> None:
    prompt = IOS_XE.prompt_re("a-very-long-switch-hostname")
    assert prompt.search("a-very-long-swit(config)#")
    assert prompt.search("a-very-long-switch-hostname#")
    assert not prompt.search("other-switch#")


def test_a_pattern_is_searched_after_the_echo_and_the_rest_is_kept_for_later() -> None:
    match = pattern_matcher(re.compile(r"\[yes/no\]:\s*$", re.MULTILINE))
    assert match("yes/no]: already seen before the echo") is None
    text = "quit\r\nFingerprint SHA1: 1\r\n% Do you accept this certificate? [yes/no]: "
    assert match(text) == len(text)


def test_output_is_cut_of_echo_and_prompt_with_line_breaks_normalised() -> None:
    text = "show license status\r\nSmart Licensing is ENABLED\r\n\r\nRegistration:\r\nams-sw001#"
    assert clean_output(text) == "Smart Licensing is ENABLED\n\nRegistration:"


def test_error_lines_are_found_in_answers() -> None:
    assert IOS_XE.error_in("bad line\n% Invalid input detected at '^' marker.\n") == (
        "% Invalid input detected at '^' marker."
    )
    assert IOS_XE.error_in("contact-email-addr noc@example.net\n") is None


def test_a_register_command_never_becomes_a_step_name_with_its_token() -> None:
    assert step_name("license smart register idtoken SECRET-TOKEN force") == "license smart register"
    assert step_name("show version") == "show version"
