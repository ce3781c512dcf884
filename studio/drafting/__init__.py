"""Writing drafts.

- ``brief``: what a marketer asks for, validated before any model is called.
- ``prompts``: the messages per content type, voice and formality.
- ``providers``: the chat model behind one function (OpenAI-compatible, or the offline demo
  writer in ``demo``); ``failures`` turns provider errors into sentences; ``connection`` tests it.
- ``service``: drafts and revisions (create, read, edit, apply a suggestion), with the actor
  checked every time; ``detail`` and ``schemas``: the plain data pages read.
- ``writer``: one generation run, streamed and saved; ``field_proposals``: the model proposes
  the publishing fields after the text.
- ``cli``: ``python -m studio generate`` and ``drafts …``.
"""
