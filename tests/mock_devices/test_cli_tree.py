from mock_devices.cli_tree import CliError, Match, kw, match, num, render_error, rest, tokenize, word

TREE = (
    kw(
        "show",
        kw("license", kw("status", action="sls"), kw("summary", action="slsum")),
        kw("logging", action="slog"),
        kw("running-config", action="run"),
    ),
    kw("configure", kw("terminal", action="conft")),
    kw("copy", kw("running-config", kw("startup-config", action="copy"))),
    kw("terminal", kw("length", num("lines", 0, 512, action="len"))),
    kw("profile", word("name", action="profile")),
    kw("description", rest("text", action="desc")),
)


def test_abbreviations_expand_to_keywords() -> None:
    found = match(TREE, "sh lic stat")
    assert isinstance(found, Match)
    assert found.action == "sls"
    assert found.command == "show license status"


def test_exact_keyword_wins_over_longer_prefix() -> None:
    found = match(TREE, "conf t")
    assert isinstance(found, Match) and found.action == "conft"


def test_ambiguous_token_reports_input_up_to_it() -> None:
    found = match(TREE, "sh l")
    assert found == CliError("ambiguous", 4, "sh l")
    assert render_error(found, "sw1#") == '% Ambiguous command:  "sh l"\n'


def test_ambiguous_first_word() -> None:
    assert match(TREE, "c") == CliError("ambiguous", 1, "c")


def test_incomplete_command() -> None:
    found = match(TREE, "show license")
    assert isinstance(found, CliError) and found.kind == "incomplete"
    assert render_error(found, "sw1#") == "% Incomplete command.\n\n"


def test_invalid_caret_sits_under_the_offending_word() -> None:
    found = match(TREE, "show license bogus")
    assert found == CliError("invalid", 13)
    text = render_error(found, "sw1#")
    caret_line, message, blank, end = text.split("\n")
    assert caret_line.index("^") == len("sw1#") + len("show license ")
    assert message == "% Invalid input detected at '^' marker."
    assert blank == "" and end == ""


def test_extra_words_after_a_complete_command_are_invalid() -> None:
    assert match(TREE, "show logging extra") == CliError("invalid", 13)


def test_integer_range_checked() -> None:
    ok = match(TREE, "term len 0")
    assert isinstance(ok, Match) and ok.args == {"lines": "0"}
    assert match(TREE, "term len 999") == CliError("invalid", 9)


def test_quoted_word_is_one_token_and_unquoted() -> None:
    assert [t.text for t in tokenize('profile "CiscoTAC-1"')] == ["profile", '"CiscoTAC-1"']
    found = match(TREE, 'prof "CiscoTAC-1"')
    assert isinstance(found, Match) and found.args == {"name": "CiscoTAC-1"}


def test_rest_of_line_parameter_keeps_spaces() -> None:
    found = match(TREE, "description uplink to core  1")
    assert isinstance(found, Match) and found.args == {"text": "uplink to core  1"}
