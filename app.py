"""攻坚看板 Campaign Board: the entry point, ``streamlit run app.py``.

Streamlit first imports this file as the server (an ``st.App``, found by
name): its lifespan fills the shared caches before the first viewer comes
(:mod:`lib.web.warmup`). Every session then runs it as the page script, and
the shell (:mod:`lib.web.shell`) runs the page the URL names.
"""

from __future__ import annotations

import streamlit as st

from lib.web import shell, warmup

if __name__ == "__main__":  # a session's run of the script
    shell.run()
else:  # imported once per server process by `streamlit run`
    app = st.App(__file__, lifespan=warmup.lifespan)
