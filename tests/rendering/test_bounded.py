"""Renders bounded in time: small texts here, large ones in a forked process, killed in time."""

import os
import time

import pytest
from django.core.exceptions import ValidationError

from posts.rendering.bounded import TooCostly, costliest_line, run_bounded, validate_body_size


def pid_of_renderer(text: str) -> int:
    return os.getpid()


def sleep_forever(text: str, pid_file) -> str:
    pid_file.write_text(str(os.getpid()))
    while True:
        time.sleep(1)


def fail(text: str) -> str:
    raise KeyError("from the child")


def test_a_small_text_renders_in_this_process(settings):
    settings.BLOGSITE_RENDER_INLINE_BYTES = 10
    assert run_bounded(pid_of_renderer, "0123456789") == os.getpid()


def test_a_larger_text_renders_in_another_process_and_comes_back(settings):
    settings.BLOGSITE_RENDER_INLINE_BYTES = 10
    assert run_bounded(pid_of_renderer, "01234567890") != os.getpid()
    assert run_bounded(str.upper, "a much longer text") == "A MUCH LONGER TEXT"


def test_a_render_past_the_deadline_is_refused_and_its_process_ended(settings, tmp_path):
    settings.BLOGSITE_RENDER_INLINE_BYTES = 0
    settings.BLOGSITE_RENDER_SECONDS = 0.5
    text = "Some prose.\n\n> quoted ***[[[[[[***\n\nMore prose."
    with pytest.raises(TooCostly) as refused:
        run_bounded(sleep_forever, text, tmp_path / "pid")
    assert refused.value.line == 3
    assert refused.value.describe("preview") == (
        "This text is too complex to preview within 0.5 seconds: "
        "simplify the run of brackets near line 3."
    )
    child = int((tmp_path / "pid").read_text())
    for _ in range(100):  # killed, and reaped by a thread of ours: not left running
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"process {child} still exists")


def test_an_error_in_the_child_is_raised_here(settings):
    settings.BLOGSITE_RENDER_INLINE_BYTES = 0
    with pytest.raises(KeyError, match="from the child"):
        run_bounded(fail, "text")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("plain", 1, "brackets"),
        ("a\nb\n" + "*a" * 50, 3, "asterisks"),
        ("a\n" + "> " * 40 + "\n" + "`" * 30, 2, "quote markers"),
        ("x\n\n\n" + "![" * 10, 4, "brackets"),
    ],
)
def test_the_costliest_line_is_the_one_with_most_markup(text, line, what):
    assert costliest_line(text) == (line, what)


def test_a_body_at_the_size_limit_passes_and_one_byte_over_is_refused(settings):
    settings.BLOGSITE_BODY_MAX_KB = 2
    validate_body_size("a" * 2048)
    validate_body_size("é" * 1024)  # two bytes each in UTF-8
    with pytest.raises(ValidationError) as refused:
        validate_body_size("é" * 1024 + "a")
    assert refused.value.messages == [
        "This text is 3 KB; an entry holds at most 2 KB. Split it into several entries."
    ]
