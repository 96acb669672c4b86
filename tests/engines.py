"""Firefox ESR and WebKitGTK from Debian, behind one small driver, with every off-origin request recorded."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest.mock
from collections.abc import Callable, Iterator
from pathlib import Path

import tools

FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
WEBKIT_DRIVER = shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")  # WebKitWebDriver's default browser
XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"
ENGINES = ("firefox", "webkit")
LIMIT = 30  # seconds for a page load or a script: a stuck page fails the test instead of hanging the run
START = 15  # seconds for WebKitWebDriver's new session (under 3 s here, even with the machine loaded)


class Proxy:
    """The browser's HTTP(S) proxy: loopback bypasses it, so any request it sees was leaving the origin.

    It answers 403 and forwards nothing; the target is never even resolved. Asked directly for "/", it serves
    a blank page, where a test can plant an off-origin request that no Content-Security-Policy blocks."""

    def __init__(self) -> None:
        seen: list[str] = []
        self.seen = seen

        class Refuse(http.server.BaseHTTPRequestHandler):
            def refuse(self) -> None:
                seen.append(f"{self.command} {self.path}")
                self.reply(403, b"")

            def reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/":  # asked directly, not as a proxy: the blank page of plant()
                    self.reply(200, b"<!doctype html><title>blank</title><body>")
                else:
                    self.refuse()

            do_POST = do_HEAD = do_CONNECT = do_PUT = do_OPTIONS = refuse

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
        self.port = self.httpd.server_address[1]
        self.blank = f"http://127.0.0.1:{self.port}/"  # a page without the site's Content-Security-Policy
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Driver:
    """What the tests need from a WebDriver-like client (Selenium and Marionette agree on most of it)."""

    def __init__(
        self, name: str, client, version: str, run: Callable[..., object], errors: Callable[[], list[str]] = list
    ):
        self.name, self.client, self.version, self._run = name, client, version, run
        self.errors = errors  # uncaught script errors of pages on 127.0.0.1, where the engine reports them

    def js(self, script: str, *args):
        """Run a function body in the page (`return` gives the result)."""
        return self._run(script, list(args))

    def goto(self, url: str) -> None:
        if self.name == "firefox":
            self.client.navigate(url)
        else:
            self.client.get(url)

    def back(self) -> None:
        self.client.go_back() if self.name == "firefox" else self.client.back()

    def reload(self) -> None:
        self.client.refresh()  # the same name in both clients

    @property
    def url(self) -> str:
        return self.client.get_url() if self.name == "firefox" else self.client.current_url

    def find(self, css: str):
        return self.client.find_element("css selector", css)  # the W3C strategy name, same in both clients

    def wait(self, what: Callable[[], object], timeout: float = 20, message: str | Callable[[], str] = "") -> object:
        """Poll until `what` returns something true; a page mid-navigation may raise, which counts as not yet."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                value = what()
                if value:
                    return value
            except Exception as exc:  # noqa: BLE001 - stale elements and unloaded documents while navigating
                last = exc
            time.sleep(0.1)
        said = message() if callable(message) else message
        raise AssertionError(f"{self.name}: timed out waiting for {said or what} (url {self.url}; last {last!r})")

    def wait_url(self, test: Callable[[str], bool], message: str) -> str:
        return str(self.wait(lambda: test(self.url) and self.url, message=message))

    def text(self, css: str) -> str:
        """The rendered text of the first element matching css, or "" before the page and its deferred scripts
        are loaded (a click before then would find no handler)."""
        return str(
            self.js(
                "const e = document.querySelector(arguments[0]);"
                "return e && document.readyState === 'complete' ? e.innerText : '';",
                css,
            )
        )

    def wait_text(self, css: str, *parts: str) -> str:
        seen = [""]

        def shown() -> str:
            seen[0] = self.text(css)
            return seen[0] if all(p in seen[0] for p in parts) else ""

        return str(self.wait(shown, message=lambda: f"{css} to show {parts} (it shows {seen[0]!r})"))


def _xvfb() -> Iterator[str]:
    """A private X display for WebKitGTK (it has no headless mode): Xvfb picks a free number itself."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        [XVFB, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def require(engine: str) -> None:
    """Skip locally without the engine's Debian packages and Python drivers; in CI a missing one fails."""
    apt = "apt-get install -y firefox-esr" if engine == "firefox" else "apt-get install -y webkit2gtk-driver xvfb"
    paths = [FIREFOX] if engine == "firefox" else [WEBKIT_DRIVER, str(MINIBROWSER), XVFB]
    tools.require(f"{engine} (Debian)", all(Path(p).exists() for p in paths), apt)
    module = "marionette_driver" if engine == "firefox" else "selenium"
    with contextlib.suppress(ImportError):
        __import__(module)
        return
    tools.require(module, False, "pip install -e '.[test]'")


@contextlib.contextmanager
def firefox(proxy: Proxy) -> Iterator[Driver]:
    """Firefox ESR, headless, through Marionette (Firefox's own remote protocol; no geckodriver needed)."""
    from marionette_driver.marionette import Marionette

    prefs = {
        "network.proxy.type": 1,
        "network.proxy.share_proxy_settings": True,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": proxy.port,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": proxy.port,
        "network.proxy.allow_hijacking_localhost": False,
        "devtools.console.stdout.content": True,
    }  # pages' uncaught errors into gecko.log, for errors()
    workspace = tempfile.mkdtemp(prefix="tsunagu-firefox-")  # its profile and gecko.log, removed at the end
    try:
        # Firefox's own updates of its remote settings would reach the proxy too. Marionette points them at a
        # dummy server, which a release build only heeds with this variable: then the proxy sees only the site.
        with unittest.mock.patch.dict(os.environ, {"MOZ_REMOTE_SETTINGS_DEVTOOLS": "1"}):
            client = Marionette(
                bin=FIREFOX,
                headless=True,
                host="127.0.0.1",
                port=0,
                prefs=prefs,
                workspace=workspace,
                gecko_log=os.path.join(workspace, "gecko.log"),
            )
        try:
            client.start_session()
            client.timeout.page_load = client.timeout.script = LIMIT
            version = str(client.session_capabilities.get("browserVersion"))
            log = Path(workspace, "gecko.log")
            yield Driver(
                "firefox",
                client,
                f"Firefox {version}",
                lambda script, args: client.execute_script(script, script_args=args, sandbox=None),
                lambda: [
                    line
                    for line in log.read_text(errors="replace").splitlines()
                    if line.startswith("JavaScript error: http://127.0.0.1:")
                ],
            )
        finally:
            client.cleanup()
            # cleanup() leaves a new, empty profile whose __del__ would fail at interpreter exit: remove it now.
            leftover = client.instance and client.instance.profile
            if leftover:
                leftover.cleanup()
                leftover.create_new = False
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _within(seconds: float, start: Callable[[], object]) -> object | None:
    """start() in a thread: its result (or its error), or None when it has not returned after seconds."""
    result: list[object] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            result.append(start())
        except Exception as exc:  # noqa: BLE001 - raised below, or dropped: a start given up on fails when stopped
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if failed and not result:
        raise failed[0]
    return result[0] if result else None


@contextlib.contextmanager
def webkit(proxy: Proxy) -> Iterator[Driver]:
    """WebKitGTK's MiniBrowser under a private Xvfb, through WebKitWebDriver and Selenium."""
    from selenium import webdriver
    from selenium.webdriver.common.proxy import Proxy as SeleniumProxy

    display = contextlib.contextmanager(_xvfb)()
    with display as name:
        options = webdriver.WebKitGTKOptions()
        options.binary_location = str(MINIBROWSER)
        options.add_argument("--automation")
        address = f"127.0.0.1:{proxy.port}"
        options.proxy = SeleniumProxy(
            {"proxyType": "manual", "httpProxy": address, "sslProxy": address, "noProxy": ["127.0.0.1"]}
        )
        client = None
        for _ in range(2):
            # About one start in ten under load, WebKitWebDriver never answers the new session (seen here, before
            # any page is opened), and Selenium would wait for minutes: stop that driver and start another once.
            service = webdriver.WebKitGTKService(executable_path=WEBKIT_DRIVER, env={**os.environ, "DISPLAY": name})
            client = _within(START, lambda: webdriver.WebKitGTK(options=options, service=service))  # noqa: B023
            if client is not None:
                break
            with contextlib.suppress(Exception):  # a driver process that is not there needs no stopping
                service.stop()
        assert client is not None, f"WebKitWebDriver started no session within {START} s, twice"
        try:
            client.set_page_load_timeout(LIMIT)
            client.set_script_timeout(LIMIT)
            version = str(client.capabilities.get("browserVersion"))
            yield Driver(
                "webkit", client, f"WebKitGTK {version}", lambda script, args: client.execute_script(script, *args)
            )
        finally:
            client.quit()


LAUNCH = {"firefox": firefox, "webkit": webkit}
