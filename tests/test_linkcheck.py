"""`cluster-kb linkcheck`: dead links reported where they are written, against a local HTTP server only.

The server listens on 127.0.0.1 and answers 200 under /live/ and 404 elsewhere (/slow/ answers
late); every address in the records and pages under test points at it, so nothing reaches the
internet.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_kb.commands import cli
from cluster_kb.outputs.linkcheck import CONCURRENCY, markdown_links

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


class _Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path.startswith("/slow/"):
            time.sleep(1.5)
        status = 200 if self.path.startswith(("/live/", "/slow/")) else 404
        body = b"<!doctype html><title>page</title><p>a page long enough to read</p>\n"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the checker gave up waiting (the timeout test)
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    # The checker opens up to CONCURRENCY connections at once. With the standard library's queue of
    # 5 the kernel drops the others' first packet, and each of those links then waits a second for
    # TCP to send it again.
    request_queue_size = 4 * CONCURRENCY


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """``(base address, paths requested)`` of a local server, for this test only."""
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    httpd = _Server(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site(tmp_path: Path, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """./kb (the fixture knowledge base, its addresses moved to the local server) and ./docs, from tmp_path."""
    base, _ = server
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE, kb)
    for path in kb.rglob("*.yaml"):
        text = path.read_text("utf-8").replace("https://example.org/", f"{base}/live/")
        path.write_text(text, "utf-8")
    wine = kb / "clusters" / "example-wine-cluster.yaml"
    # The wine cluster's website is alive; the source it cites is dead.
    wine.write_text(
        wine.read_text("utf-8").replace(f"    url: {base}/live/wine", f"    url: {base}/dead/wine-report"), "utf-8"
    )
    coffee = kb / "clusters" / "example-coffee-cluster.yaml"
    coffee.write_text(coffee.read_text("utf-8") + f"    url: {base}/live/coffee\n", "utf-8")
    docs = tmp_path / "docs"
    (docs / "es").mkdir(parents=True)
    (docs / "about.md").write_text(f"# About\n\nMade with [MkDocs]({base}/live/mkdocs).\n", "utf-8")
    (docs / "es" / "about.md").write_text(f"# Acerca de\n\nHecho con [MkDocs]({base}/live/mkdocs).\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def linkcheck(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = cli.main(["linkcheck", "--content", "kb", "--docs", "docs", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_dead_source_is_reported_at_the_record_line_and_a_live_one_is_not(
    site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    base, requests = server
    code, out, err = linkcheck(capsys)
    assert (code, err) == (1, "")
    assert out == [
        f"kb/clusters/example-wine-cluster.yaml:23:10: warning: {base}/dead/wine-report: 404 Not Found",
        "9 links to 6 addresses checked: 1 dead, written in 1 place",
    ]
    # Each distinct address is requested once, however many records cite it.
    assert sorted(requests) == sorted(set(requests))
    assert "/live/typology" in requests and "/live/wine" in requests and "/live/coffee" in requests


def test_every_link_alive_exits_0(site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = server
    wine = site / "kb" / "clusters" / "example-wine-cluster.yaml"
    wine.write_text(wine.read_text("utf-8").replace(f"{base}/dead/", f"{base}/live/"), "utf-8")
    code, out, _ = linkcheck(capsys)
    assert code == 0
    assert out == ["9 links to 6 addresses checked: all alive"]


def test_dead_links_of_the_hand_written_pages(
    site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    base, requests = server
    (site / "docs" / "links.md").write_text(
        "# Links\n\n"
        f"A [dead page]({base}/gone \"its title\"), an <{base}/live/auto> autolink,\n"
        f"and `{base}/in-code` in code, which is no link.\n\n"
        f"```\n[fenced]({base}/in-fence)\n```\n\n"
        f"![a picture]({base}/missing.png)\n\n"
        f"[ref]: {base}/dead-reference\n",
        "utf-8",
    )
    code, out, _ = linkcheck(capsys)
    assert code == 1
    assert out[:4] == [
        f"docs/links.md:3:15: warning: {base}/gone: 404 Not Found",
        f"docs/links.md:10:14: warning: {base}/missing.png: 404 Not Found",
        f"docs/links.md:12:8: warning: {base}/dead-reference: 404 Not Found",
        f"kb/clusters/example-wine-cluster.yaml:23:10: warning: {base}/dead/wine-report: 404 Not Found",
    ]
    assert "/in-code" not in requests and "/in-fence" not in requests


def test_a_link_in_record_text_is_reported_where_it_is_written(
    site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = server
    path = site / "kb" / "territories" / "catalonia.yaml"
    summary = f"summary: A region; see [its report]({base}/old-report)."
    path.write_text(path.read_text("utf-8").replace("summary: A synthetic region.", summary), "utf-8")
    code, out, _ = linkcheck(capsys)
    assert code == 1
    assert f"kb/territories/catalonia.yaml:5:37: warning: {base}/old-report: 404 Not Found" in out


def test_no_answer_in_time_is_a_dead_link(site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = server
    (site / "docs" / "slow.md").write_text(f"[slow]({base}/slow/page)\n", "utf-8")
    code, out, _ = linkcheck(capsys, "--timeout", "0.3")
    assert code == 1
    assert f"docs/slow.md:1:8: warning: {base}/slow/page: no answer within 0.3 s" in out


def test_a_refused_connection_is_a_dead_link(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (site / "docs" / "closed.md").write_text(f"[closed](http://127.0.0.1:{port}/x)\n", "utf-8")
    code, out, _ = linkcheck(capsys)
    assert code == 1
    line = next(line for line in out if line.startswith("docs/closed.md"))
    assert line.startswith(f"docs/closed.md:1:10: warning: http://127.0.0.1:{port}/x: cannot connect (")


def test_the_real_command(site: Path, server: tuple[str, list[str]]) -> None:
    base, _ = server
    done = subprocess.run(
        [sys.executable, "-m", "cluster_kb", "linkcheck", "--content", "kb", "--docs", "docs", "--timeout", "5"],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        f"kb/clusters/example-wine-cluster.yaml:23:10: warning: {base}/dead/wine-report: 404 Not Found",
        "9 links to 6 addresses checked: 1 dead, written in 1 place",
    ]


def test_content_with_problems_is_not_checked(
    site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, requests = server
    (site / "kb" / "territories" / "norway.yaml").write_text("name: Norway\nkind: kingdom\nsources: []\n", "utf-8")
    code, out, err = linkcheck(capsys)
    assert code == 1
    assert out[-1] == "2 errors in 1 file"
    assert "the links were not checked" in err
    assert requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--content", "nowhere"], "content folder 'nowhere' not found"),
        (["--docs", "nowhere"], "docs folder 'nowhere' not found"),
        (["--timeout", "soon"], "argument --timeout: 'soon' is not a number of seconds"),
        (["--timeout", "0"], "argument --timeout: 0 is out of range"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, requests = server
    code, out, err = linkcheck(capsys, *args)
    assert (code, out) == (2, [])
    assert message in err
    assert requests == []


def test_markdown_links_outside_code() -> None:
    text = (
        "[a](https://a.example/x_(y)) [b](<https://b.example/> 'title') <https://c.example/>\n"
        "`[d](https://d.example/)` and\n~~~\n[e](https://e.example/)\n~~~\n"
        '<a href="https://f.example/">f</a>\n[g]: https://g.example/\n[h](relative.md) [i](mailto:x@y.z)\n'
    )
    assert [url for _, url in markdown_links(text)] == [
        "https://a.example/x_(y)",
        "https://b.example/",
        "https://c.example/",
        "https://f.example/",
        "https://g.example/",
    ]


def test_an_address_with_accents_is_requested_encoded_and_reported_as_written(
    site: Path, server: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    base, requests = server
    (site / "docs" / "accents.md").write_text(f"[café]({base}/live/café) [niño]({base}/gone/niño)\n", "utf-8")
    code, out, _ = linkcheck(capsys)
    assert code == 1
    col = len(f"[café]({base}/live/café) [niño](") + 1
    assert f"docs/accents.md:1:{col}: warning: {base}/gone/niño: 404 Not Found" in out
    assert not any("café" in line for line in out)
    assert "/live/caf%C3%A9" in requests and "/gone/ni%C3%B1o" in requests
