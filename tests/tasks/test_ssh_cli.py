"""The asyncssh transport's pure parts: when a read is complete, and what a command returns."""

from __future__ import annotations

import re

from config_lines import CALLHOME_CHANGE
from fleetreg.tasks.cli import IOS_XE, config_batches, step_name
from fleetreg.tasks.ssh_cli import batch_matcher, clean_output, pattern_matcher, prompt_matcher, split_answers

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


def test_a_section_s_settings_are_typed_together_up_to_the_line_that_changes_the_mode() -> None:
    assert config_batches(CALLHOME_CHANGE) == [
        ["call-home"],  # top level: may open a section, so it is answered first
        ['profile "CiscoTAC-1"'],  # its section follows
        ["no active", "exit"],
        ['profile "SSM-OnPrem"'],
        ["reporting smart-licensing-data", "destination transport-method http", "active", "exit"],
        ["exit"],
        ["ip http client source-interface Vlan10"],
    ]


def test_a_change_of_depth_ends_a_batch_and_flat_lines_go_one_at_a_time() -> None:
    assert config_batches(["a", " b", " c", "  d", " e", "f"]) == [["a"], ["b", "c"], ["d"], ["e"], ["f"]]
    assert config_batches(["a", "b", "", "c"]) == [["a"], ["b"], ["c"]]


def _typed(lines: list[str], answers: list[str]) -> str:
    """The stream a switch sends back for lines typed at once: each prompt followed by the next echo."""
    prompts = ["ams-sw001(cfg-call-home-profile)#"] * (len(lines) - 1) + ["ams-sw001(cfg-call-home)#"]
    return "".join(f"{line}\r\n{answer}{prompt}" for line, answer, prompt in zip(lines, answers, prompts, strict=True))


def test_lines_typed_together_are_complete_at_the_prompt_after_the_last_echo() -> None:
    lines = ["destination transport-method http", "bad setting", "exit"]
    head = IOS_XE.prompt_head_re("ams-sw001")
    match = batch_matcher(head, lines[1:], PROMPT)
    text = _typed(lines, ["", "              ^\r\n% Invalid input detected at '^' marker.\r\n\r\n", ""])
    assert match(text) == len(text)
    cut_before_last_prompt = text[: text.rindex("ams-sw001(cfg-call-home)#")]
    assert match(cut_before_last_prompt) is None
    assert match(text[: text.index("exit")]) is None  # a prompt, but not after the last line
    answers = split_answers(text, head, lines[1:])
    assert "".join(answers) == text
    assert clean_output(answers[0]) == ""
    assert [IOS_XE.error_in(clean_output(a)) for a in answers] == [
        None,
        "% Invalid input detected at '^' marker.",
        None,
    ]
    assert answers[1].startswith("bad setting\r\n") and answers[1].endswith("#")


def test_an_echo_is_found_after_the_prompt_even_when_the_line_holds_prompt_characters() -> None:
    head = IOS_XE.prompt_head_re("ams-sw001")
    lines = ["tag#1 a>b", "exit"]  # a first word with # in it: the prompt ends at the first #
    text = _typed(["active", *lines], ["", "", ""])
    match = batch_matcher(head, lines, PROMPT)
    assert match(text) == len(text)
    assert split_answers(text, head, lines)[1] == "tag#1 a>b\r\nams-sw001(cfg-call-home-profile)#"
