"""Scale-out, proven: two board replicas on one PostgreSQL behind nginx, run with deploy/'s own config.

An import made through replica A reaches a viewer on replica B within one
refresh interval; both replicas report the same numbers; nginx keeps a client
on one replica, upgrades the websocket and sends the security headers.
Needs TEST_DATABASE_URL and Debian's nginx (``apt-get install nginx``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from lib import auth, store
from tests.browser_support import (
    SCRIPT_DONE,
    chromium_page,
    chromium_pages,
    exceptions_on_page,
    free_port,
    open_and_settle,
    run_streamlit,
)
from tests.conftest import ROOT
from tests.data import demo_ledgers as d

pytestmark = [pytest.mark.replicas, pytest.mark.browser, pytest.mark.postgres]
PASSWORD = "攻坚2023"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = ROOT / "deploy" / "nginx" / "campaign-board.conf"
REFRESH_S = 10  # the smallest refresh a link may ask for (state.REFRESH_RANGE)


@dataclass(frozen=True)
class Deployment:
    a: str
    b: str
    lb: str
    access_log: Path


def nginx_config(site: str, *, port_a: int, port_b: int, listen: int, tmp: Path) -> str:
    """deploy/'s site config made runnable by an unprivileged, foreground nginx under ``tmp``."""
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{port_a}").replace("127.0.0.1:8502", f"127.0.0.1:{port_b}")
    site = re.sub(r"^\s*listen 80;", f"    listen 127.0.0.1:{listen};", site, flags=re.MULTILINE)
    site = site.replace("/var/log/nginx/campaign-board.access.log", str(tmp / "access.log"))
    temp = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n{temp}\n{site}\n}}\n")


@contextmanager
def run_nginx(config: str, tmp: Path, port: int) -> Iterator[str]:
    """nginx in the foreground on 127.0.0.1:``port`` with ``config``; stopped (its group only) on exit."""
    conf = tmp / "nginx.conf"
    conf.write_text(config)
    server = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"nginx exited: {server.stderr.read().decode() if server.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGQUIT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The demo on PostgreSQL, replicas A and B sharing one password and cookie key, nginx in front."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (the replicas share one PostgreSQL)")
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (Debian package nginx)")
    engine = store.get_engine(url)
    store.load_demo(engine)
    env = {"DATABASE_URL": url, auth.ENV_VAR: auth.hash_password(PASSWORD), auth.COOKIE_SECRET_ENV: "replica-test-key"}
    tmp = tmp_path_factory.mktemp("nginx")
    with ExitStack() as stack:
        a = stack.enter_context(run_streamlit(ROOT / "app.py", ROOT, env=env))
        b = stack.enter_context(run_streamlit(ROOT / "app.py", ROOT, env=env))
        port = free_port()
        config = nginx_config(NGINX_CONF.read_text(), port_a=int(a.rsplit(":", 1)[1]), port_b=int(b.rsplit(":", 1)[1]),
                              listen=port, tmp=tmp)
        lb = stack.enter_context(run_nginx(config, tmp, port))
        yield Deployment(a, b, lb, tmp / "access.log")
    store.drop_all(engine)


def _kpis(page) -> str:
    return page.locator(".cb-kpis").first.inner_text()


def _zhuangyuan_row(page) -> str:
    return page.locator("tr", has_text="状元地块").first.inner_text()


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector(SCRIPT_DONE)
    page.wait_for_timeout(500)
    page.wait_for_selector(SCRIPT_DONE)


def _login(page, base: str) -> None:
    open_and_settle(page, f"{base}/data")
    page.get_by_role("textbox", name="姓名").fill("林建")
    page.get_by_role("textbox", name="编辑密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    _settle(page)
    page.get_by_text("已登录：林建（编辑者）").wait_for()


def test_nginx_sends_the_security_headers(deployment):
    with urllib.request.urlopen(f"{deployment.lb}/overview", timeout=10) as response:
        headers = response.headers
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_both_replicas_report_the_same_numbers(deployment):
    with chromium_page(1280, 900) as page:
        open_and_settle(page, f"{deployment.a}/overview?asof=2023-11-07")
        on_a = (_kpis(page), _zhuangyuan_row(page))
        open_and_settle(page, f"{deployment.b}/overview?asof=2023-11-07")
        on_b = (_kpis(page), _zhuangyuan_row(page))
    assert on_a == on_b and "93.60%" in on_a[1]


def test_an_import_through_a_reaches_a_viewer_on_b_within_one_refresh(deployment, tmp_path):
    ledger = tmp_path / "封房进度_gbk.csv"
    ledger.write_bytes(d.seal_three_gbk_csv())
    with chromium_pages(2, 1280, 900) as (viewer, editor):
        open_and_settle(viewer, f"{deployment.b}/overview?refresh={REFRESH_S}")
        assert "93.60%" in _zhuangyuan_row(viewer)

        _login(editor, deployment.a)
        editor.set_input_files('input[type="file"]', str(ledger))
        _settle(editor)
        editor.get_by_text("校验通过，确认后写入。").wait_for()  # validated: the confirm button is live
        editor.get_by_role("button", name="确认导入").click()
        editor.get_by_text("已导入（批次 2）：+3 封房。看板各页已按新数据更新。").wait_for()
        imported = time.monotonic()

        # B checks for new data every REFRESH_S seconds; allow one interval plus the rerun itself.
        viewer.locator("tr", has_text="状元地块").filter(has_text="94.80%").first.wait_for(
            timeout=(REFRESH_S + 15) * 1000)
        print(f"replica B showed the import {time.monotonic() - imported:.1f} s after replica A wrote it")
        assert exceptions_on_page(viewer) == [] and exceptions_on_page(editor) == []


def test_a_client_sticks_to_one_replica_and_stays_logged_in(deployment):
    before = deployment.access_log.read_text() if deployment.access_log.exists() else ""
    with chromium_page(1280, 900) as page:
        _login(page, deployment.lb)
        page.reload()
        _settle(page)
        page.get_by_text("已登录：林建（编辑者）").wait_for()  # the reload kept the editor session
        page.locator('input[type="file"]').wait_for(state="attached")
    lines = deployment.access_log.read_text()[len(before):].splitlines()
    upstreams = {line.rsplit(" ", 1)[1] for line in lines}
    assert any("/_stcore/stream" in line and " 101 " in line for line in lines)  # the websocket was upgraded
    assert len(upstreams) == 1 and upstreams <= {deployment.a.removeprefix("http://"), deployment.b.removeprefix("http://")}
