"""Issue 17, item 5, as a property: inserting unknown indented lines into known blocks, or unknown
blocks between blocks, anywhere in a real output never changes what fleetreg parses from it (the
required fields, and every other field), and never fails it."""

from __future__ import annotations

from pathlib import Path

from fleetreg.core.parsing import parse_detailed
from fleetreg.core.parsing.output_text import output_lines
from fleetreg.core.parsing.required_fields import REQUIRED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / ".." / "shared" / "samples"
VARIANTS = REPO / "tests" / "fixtures" / "outputs"

COMMAND_OF = {
    "sls": "show license status",
    "sla": "show license all",
    "slsum": "show license summary",
    "sch": "show call-home",
    "schpa": "show call-home profile all",
    "schsl": "show call-home smart-licensing",
    "sver": "show version",
}
OUTPUTS = [
    (COMMAND_OF[path.name.split("_")[0]], output_lines(path.read_bytes().decode()))
    for path in sorted([*SAMPLES.glob("*.txt"), *VARIANTS.glob("*.txt")])
    if path.name.split("_")[0] in COMMAND_OF
]

# Words no rule of our templates reads, so that what is inserted is unknown by construction.
WORDS = ["Heartbeat", "Telemetry", "Collector", "Enforcement", "Analytics", "Window", "Segment", "Beacon", "Quota"]
label = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
# Values as IOS prints them: no parentheses (a licence row is "name (tag) count status").
value = st.text(st.sampled_from("abcXYZ019 .,:/<>_-=%*#"), min_size=1, max_size=24).map(str.strip).filter(bool)
indent = st.sampled_from(["  ", "    "])
unknown_line = st.builds(lambda i, k, v: f"{i}{k}: {v}", indent, label, value)
block_body_line = st.one_of(
    unknown_line,
    st.builds(lambda k, v: f"{k}: {v}", label, value),  # unindented, as in the 17.12 telemetry block
    st.integers(4, 40).map(lambda n: "=" * n),
)
unknown_block = st.builds(lambda k, body: [f"{k}:", *body], label, st.lists(block_body_line, max_size=4))


def block_boundaries(lines: list[str]) -> list[int]:
    """Where a block can start: at the top, before a top-level line that follows a blank line,
    and at the end."""
    inner = [i for i in range(1, len(lines)) if lines[i - 1] == "" and lines[i] and not lines[i][0].isspace()]
    return [0, *inner, len(lines)]


def inside_blocks(lines: list[str]) -> list[int]:
    """Positions right after a non-blank line: inside the block that line belongs to."""
    return [i + 1 for i, line in enumerate(lines) if line]


@st.composite
def changed_output(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    command, lines = draw(st.sampled_from(OUTPUTS))
    changed = list(lines)
    inserts: list[tuple[int, list[str]]] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            inserts.append((draw(st.sampled_from(inside_blocks(lines))), [draw(unknown_line)]))
        else:
            at = draw(st.sampled_from(block_boundaries(lines)))
            block = draw(unknown_block)
            inserts.append((at, ["", *block] if at == len(lines) else [*block, ""]))
    for at, new in sorted(inserts, key=lambda insert: insert[0], reverse=True):
        changed[at:at] = new
    return command, lines, changed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_output())
def test_unknown_lines_and_blocks_never_change_what_is_parsed(case: tuple[str, list[str], list[str]]) -> None:
    command, lines, changed = case
    before = parse_detailed(command, "\n".join(lines))
    after = parse_detailed(command, "\n".join(changed))
    assert after.model == before.model
    assert set(after.unknown.lines) - set(before.unknown.lines) <= set(changed) - set(lines)


def test_the_property_covers_every_command_with_required_fields() -> None:
    assert {command for command, _lines in OUTPUTS} == set(REQUIRED)
