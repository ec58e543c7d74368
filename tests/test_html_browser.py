"""The HTML copy of ``20_gap_analysis`` (smoke run), opened in a real browser, shows its figures
and its Vietnamese text.

The browser is headless Chromium, the Debian package ``chromium``. When it is missing, the
set-up installs it with apt-get if the tests run as root on a machine with apt (as CI does;
``.ci/run`` installs it first anyway); anywhere else the test is skipped with a message that says
how to run it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from html import unescape

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: no GPU, sandbox, network services, first-run UI, component updates or sync: a quiet, offline run
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: appended to a copy of the page: after load, writes what the browser sees into <body> attributes
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const shown = imgs.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0
                                 && i.getBoundingClientRect().width > 0);
  document.body.setAttribute("data-images", String(imgs.length));
  document.body.setAttribute("data-images-shown", String(shown.length));
  document.body.setAttribute("data-sizes", shown.map(i => i.naturalWidth + "x" + i.naturalHeight).join(" "));
  document.body.setAttribute("data-text", document.body.innerText.slice(0, 20000));
});
</script>"""


def _find_browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def _apt_install() -> str:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:  # an old or empty package list: update it once, then retry
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    return done.stderr[-500:]


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = _find_browser()
    why = "not installed"
    if exe is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        why = f"not installed, and `apt-get install chromium` failed: {_apt_install()}"
        exe = _find_browser()
    elif exe is None:
        why = "not installed, and cannot be installed here (needs root and apt-get)"
    if exe is None:
        pytest.skip(
            f"headless Chromium is {why}; install the Debian package `chromium` (or Google "
            "Chrome) to run the browser test of the HTML reports"
        )
    return exe


def _dump_dom(exe: str, page, profile) -> str:
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_gap_analysis_html_shows_figures_and_vietnamese_text_in_chromium(
    smoke_run, chromium, tmp_path
):
    out, result = smoke_run
    assert result.ok, [(r.task.id, r.error) for r in result.failures]
    html = (out / "html" / "20_gap_analysis.html").read_text(encoding="utf-8")
    page = tmp_path / "20_gap_analysis.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _dump_dom(chromium, page, tmp_path / "profile")
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attrs = {k: unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', body)}
    assert "images" in attrs, "the probe did not run: " + dom[:500]
    # every figure of the page is decoded and laid out (4 in the first language, see the test
    # of the notebook outputs)
    assert int(attrs["images"]) == html.count("<img ") >= 4
    assert int(attrs["images-shown"]) == int(attrs["images"])
    for size in attrs["sizes"].split():  # decoded images of a readable size
        w, h = map(int, size.split("x"))
        assert w >= 300 and h >= 200, size
    text = unicodedata.normalize("NFC", attrs["text"])
    for words in ("Phân tích khoảng cách", "Chính quyền số", "Đơn vị", "Loại hình", "Đại Thạnh"):
        assert words in text, words
    assert "Dữ liệu minh họa" in text  # the synthetic mark reaches the reader
