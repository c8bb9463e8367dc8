"""A page opened from a link runs its script once (issue: every first open ran twice).

Counted on the server (``$BOARD_RUN_LOG`` gets a line per page run), not timed;
the browser's own script states confirm that it saw a single run.
"""

from __future__ import annotations

import pytest

from tests.browser_support import SCRIPT_DONE, chromium_page, run_streamlit

pytestmark = pytest.mark.browser

# The first path is opened on a server that has served nothing yet: Streamlit's
# legacy pages/ mode used to add a second run to exactly that request.
PATHS = ["/overview?asof=2023-10-10", "/map", "/progress?asof=2023-10-05", "/teams", "/data", "/", "/?screen=1&lang=en"]

WATCH_STATES = """new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const s = app && app.getAttribute('data-test-script-state');
  if (s && window.__last !== s) { window.__last = s; (window.__states = window.__states || []).push(s); }
}).observe(document, {subtree: true, attributes: true, childList: true});"""


def test_every_cold_open_runs_the_page_once(demo_db_url, tmp_path):
    log = tmp_path / "runs.log"
    from tests.conftest import ROOT

    with run_streamlit(ROOT / "app.py", ROOT, env={"DATABASE_URL": demo_db_url, "BOARD_RUN_LOG": str(log)}) as base:
        for path in PATHS:
            log.write_text("")
            with chromium_page(1366, 768) as page:
                page.add_init_script(WATCH_STATES)
                page.goto(base + path)
                page.wait_for_selector(SCRIPT_DONE)
                page.wait_for_timeout(1500)  # a second run would start within this
                page.wait_for_selector(SCRIPT_DONE)
                runs = log.read_text().splitlines()
                states = page.evaluate("() => window.__states")
            assert len(runs) == 1, f"{path}: {len(runs)} page runs"
            assert states.count("running") == 1, f"{path}: the browser saw {states}"
