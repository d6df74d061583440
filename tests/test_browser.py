"""The widgets and graphs in a real browser: JupyterLab + headless Chromium (Playwright).

Starts JupyterLab on 127.0.0.1 in a throw-away configuration, opens a copy of
tests/browser/widget_and_graph.ipynb (outputs stripped, so everything on the
page comes from the live kernel), runs all cells, then checks that

* the neuron playground's sliders are visible, and moving one (keyboard on the
  noUiSlider handle) makes the kernel rewrite the output text;
* the computation graph arrives as an SVG picture;
* the backprop stepper's "next" button moves it to step 1.

A second test starts JupyterLab the way `course.py lab` does (notebooks signed
for the user, the course's Jupyter settings) on a copy of chapter 00 and checks,
before any cell runs, that its saved widget and pictures show and that
JupyterLab does not ask about fetching news.

Skipped only when Chromium is not installed AND the environment variable CI
is unset; under CI a missing Chromium is a failure.
"""

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "browser" / "widget_and_graph.ipynb"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking"]


@pytest.fixture
def chromium():
    """Path of Debian's Chromium; skip (locally) or fail (under CI) when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but the `chromium` executable is not on PATH: "
                        "install it (Debian: apt-get install -y chromium)")
        pytest.skip("chromium is not installed (under CI this test fails instead)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stripped_copy(folder):
    """The fixture without outputs or saved widget state: all we see must come from the kernel."""
    nb = nbformat.read(FIXTURE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, folder / FIXTURE.name)


def jupyter_folders(tmp_path):
    """Throw-away Jupyter config, data and runtime folders, so no test sees the user's."""
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp_path / name.lower())
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


@contextlib.contextmanager
def running(command, env, cwd, log_path, token, port):
    """Run a JupyterLab server command until the block ends; yields its URL once it answers."""
    log = open(log_path, "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + Path(log_path).read_text())
                time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def server_options(port, token):
    return ["--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False"]


@pytest.fixture
def jupyterlab(chromium, tmp_path):
    """A JupyterLab server on a free local port with its own config, data and runtime folders."""
    root = tmp_path / "root"
    root.mkdir()
    stripped_copy(root)
    token, port = secrets.token_hex(16), free_port()
    env = jupyter_folders(tmp_path)
    # no "Would you like to get notified about Jupyter news?" toast over the page
    settings = (tmp_path / "jupyter_config_dir" / "lab" / "user-settings" / "@jupyterlab"
                / "apputils-extension" / "notification.jupyterlab-settings")
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    command = [sys.executable, "-m", "jupyterlab", *server_options(port, token),
               f"--ServerApp.root_dir={root}"]
    with running(command, env, root, tmp_path / "jupyterlab.log", token, port) as url:
        start_kernel(url, token)
        yield url, token


def start_kernel(url, token):
    """Open a kernel session for the notebook before the browser does, so JupyterLab
    attaches to it instead of asking which kernel to start."""
    request = urllib.request.Request(
        f"{url}/api/sessions", method="POST",
        data=json.dumps({"path": FIXTURE.name, "type": "notebook", "name": FIXTURE.name,
                         "kernel": {"name": "python3"}}).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, f"could not start a kernel: HTTP {response.status}"


def test_widget_slider_and_graph_work_in_jupyterlab(chromium, jupyterlab):
    from playwright.sync_api import expect, sync_playwright

    url, token = jupyterlab
    expect.set_options(timeout=90_000)    # a busy 2-core machine: starting the kernel takes a while
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90_000)
            page.goto(f"{url}/lab/tree/{FIXTURE.name}?token={token}")
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()

            # Run > Run All Cells
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("[data-command='runmenu:run-all']").click()

            # the neuron playground: three sliders, and a readout written by the kernel
            sliders = page.locator(".widget-slider")
            expect(sliders.first).to_be_visible()
            expect(sliders).to_have_count(4)           # w1, w2, b and the stepper's step
            readout = page.locator(".widget-output").first
            expect(readout).to_contain_text("z = 1.00·x1")
            before = readout.inner_text()

            handle = page.locator(".noUi-handle").first
            handle.focus()
            page.keyboard.press("ArrowRight")          # w1: 1.0 -> 1.1 (step 0.1)
            expect(readout).to_contain_text("z = 1.10·x1")
            assert readout.inner_text() != before

            # the graph, rendered by Graphviz as SVG (an <img> with an SVG data URL)
            picture = page.locator(".jp-RenderedSVG img").first
            expect(picture).to_be_visible()
            assert picture.get_attribute("src").startswith("data:image/svg+xml")

            # the stepper shows its own SVG graph and steps forward on "next"
            expect(page.locator(".widget-html svg").first).to_be_visible()
            page.get_by_role("button", name="next ▶").click()
            expect(page.locator(".widget-html").filter(has_text="Step 1 of 2").first).to_be_visible()
        finally:
            browser.close()


def load_launcher():
    """The top-level course.py, imported as a module (it is not part of annlib)."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course


def test_the_launcher_opens_chapter_00_trusted_showing_its_saved_widget_and_no_news_prompt(
        chromium, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    course = load_launcher()
    root = tmp_path / "course"           # a copy: the browser must not touch the real notebooks
    (root / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / course.FIRST_NOTEBOOK, root / course.FIRST_NOTEBOOK)
    env = course.lab_environment(jupyter_folders(tmp_path))
    subprocess.run(course.trust_command(sys.executable, course.course_notebooks(root)),
                   env=env, check=True)
    token, port = secrets.token_hex(16), free_port()
    command = course.lab_command(sys.executable, server_options(port, token), root=root)
    with running(command, env, root, tmp_path / "jupyterlab.log", token, port) as url:
        # the settings JupyterLab hands the page: never fetch news, so never ask about it
        request = urllib.request.Request(
            f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification",
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            served = json.load(response)
        defaults = {name: spec.get("default") for name, spec in served["schema"]["properties"].items()}
        composite = {**defaults, **served["settings"]}
        assert composite["fetchNews"] == "false" and composite["checkForUpdates"] is False

        expect.set_options(timeout=90_000)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(90_000)
                page.goto(f"{url}/?token={token}")     # the server sends us on to chapter 00
                expect(page).to_have_url(re.compile(r"/lab/tree/chapters/00_introduction\.ipynb"))
                # no cell is run: the sliders and the plot inside the widget are the saved ones
                sliders = page.locator(".widget-slider")
                expect(sliders.first).to_be_visible()
                expect(sliders).to_have_count(4)                   # w1, b1, w2, b2
                expect(page.locator(".widget-output img").first).to_be_visible()
                expect(page.get_by_text("interactive(children=")).to_have_count(0)
                expect(page.locator(".jp-RenderedImage img").first).to_be_visible()
                assert page.locator(".jp-InputPrompt", has_text="[*]").count() == 0
                # the news question would come once the page is restored; give it time to
                page.wait_for_timeout(3000)
                expect(page.get_by_text("Jupyter news")).to_have_count(0)
            finally:
                browser.close()
