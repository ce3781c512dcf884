"""AppTest: the New draft page's critic pass choice, and what the pass did shown after writing."""

from __future__ import annotations

import html

from tests.integration.critic.test_critic_pass import critic_server  # noqa: F401 - fixture
from tests.integration.drafting.test_app_drafting import all_text, fill_brief, generate_button, signed_in
from tests.support import fake_critic


def test_the_brief_asks_for_a_critic_pass_and_the_page_shows_the_text_after_it(engine, people, critic_server):  # noqa: F811
    at = signed_in(people.marketer)
    box = at.selectbox(key="brief_critic")
    assert box.value == "workspace" and "As the workspace says (off)" in box.options[0]
    fill_brief(at, "Planning a content calendar")
    box.set_value(2)
    generate_button(at).click().run()
    assert not at.exception, at.exception
    outcome = at.session_state["last_outcome"]
    assert outcome["critic"]["rounds"][0]["kept"]
    text = all_text(at)
    assert "Critic pass:" in text and "After the critic pass" in text
    # The text as streamed, then the text after the pass.
    articles = [str(h.proto.body) for h in at.get("html") if "Why It Matters" in str(h.proto.body)]
    claim = html.escape(fake_critic.CLAIM_SENTENCE, quote=False)
    assert len(articles) == 2 and claim in articles[0] and claim not in articles[1]
    assert "can help improve your results" in articles[1]
    assert any(e.label == "What the critic flagged" for e in at.expander)
