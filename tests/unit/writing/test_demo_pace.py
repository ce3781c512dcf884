"""The demo writer streams at a visible pace (configurable, instant when 0)."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from studio.drafting.brief import Brief
from studio.drafting.demo import DemoWriter
from studio.drafting.prompts import build_messages


def test_the_demo_writer_sleeps_between_pieces_at_the_configured_pace():
    slept: list[float] = []
    writer = DemoWriter(seed=1, words_per_second=20, sleep=slept.append)
    pieces = [c.content for c in writer.stream(build_messages(Brief.create(content_type="blog", topic="Calendars")))
              if c.content]
    words = len("".join(pieces).split())
    assert len(slept) == len(pieces) - 1  # nothing before the first words
    assert abs(sum(slept) - (words - len(pieces[0].split())) / 20) < 0.01


def test_at_zero_it_streams_at_once():
    slept: list[float] = []
    writer = DemoWriter(seed=1, words_per_second=0, sleep=slept.append)
    assert list(writer.stream([HumanMessage(content="Brief:\nTopic: x\n")])) and slept == []
