"""The local web page (perfxl serve): a real Chromium drives it, plain HTTP probes its defences.

The browser tests need Debian's chromium and chromium-driver (.ci/install-system installs them):
they skip on a developer machine without them and fail under CI=true. Chromium is started with
every flag that keeps it from reaching the network, with a fresh profile.

PERFXL_WEB_SCREENSHOT=1 also saves docs/img/web-page.png (docs/make_web_screenshot.py);
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import json
import os
import re
import shutil
import socket
import stat
import time
import zipfile
from pathlib import Path

import pytest

from perfxl.reconcile import reconcile_file
from perfxl.web.server import WebError, WebServer
from perfxl.web.sessions import Limits
from perfxl.web.texts import text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted([*ROOT.glob("examples/*.xlsx"), *ROOT.glob("examples/*.xls")])
TYPED_OVER = "芦淞区委宣传部_2024_总分改为97.xlsx"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000"]
SCREENSHOT = ROOT / "docs" / "img" / "web-page.png"


# --- Chromium ------------------------------------------------------------------------------------

def missing_reason() -> str | None:
    """Why a real Chromium cannot be driven here, or None when it can."""
    for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(program, os.X_OK):
            return f"{program} is not installed (Debian: {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; fail in CI, where it must be there."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Chromium is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The page's server on a free port, its sessions' folders under a folder the test can watch."""
    root = tmp_path_factory.mktemp("web-sessions")
    web = WebServer(port=0, lang="zh", tmp_root=str(root)).start()
    yield web
    web.stop()
    assert list(root.iterdir()) == []  # every session's folder is deleted when the server stops


def _by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def _wait(driver, condition, timeout: float = 180):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05,  # the page redraws its tables as results come
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(d))


def _choose(driver, element_id: str, paths: list[Path]) -> None:
    _by_id(driver, element_id).send_keys("\n".join(str(path) for path in paths))


def _fresh_page(driver, server: WebServer) -> None:
    """The page with no round of its own (the browser's storage forgets the one it kept)."""
    driver.get(server.url)
    driver.execute_script("window.localStorage.clear()")
    driver.get(server.url)


def _review(driver, server: WebServer, paths: list[Path], timeout: float = 600) -> float:
    """Open the page on a new round, choose the files, wait for the results; seconds from choosing
    to results."""
    _fresh_page(driver, server)
    started = time.monotonic()
    _choose(driver, "submissions", paths)
    _wait(driver, lambda d: _by_id(d, "progress").get_attribute("data-state") in ("done", "failed"), timeout)
    elapsed = time.monotonic() - started
    assert _by_id(driver, "progress").get_attribute("data-state") == "done", _by_id(driver, "error").text
    return elapsed


def _rows(driver) -> dict[str, object]:
    from selenium.webdriver.common.by import By

    return {row.get_attribute("data-name"): row
            for row in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")}


def _download(driver, link_id: str, folder: Path) -> Path:
    """Click a download link; the file the browser saved."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    link = _wait(driver, lambda d: _by_id(d, link_id) if _by_id(d, link_id).is_displayed() else None, 600)
    link.click()

    def saved(_driver) -> Path | None:
        files = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        return files[0] if files and not list(folder.glob("*.crdownload")) else None

    return _wait(driver, saved, 60)


# --- the browser: a round, its downloads, templates ------------------------------------------------

@pytest.fixture(scope="module")
def examples_page(browser, server):
    """The page with the examples reviewed (shared by the tests that read it)."""
    seconds = _review(browser, server, EXAMPLES)
    print(f"\nexamples: {len(EXAMPLES)} files from choosing to results in {seconds:.2f} s")
    return browser


def test_every_example_gets_a_row_and_the_typed_over_total_shows(examples_page):
    driver = examples_page
    progress = _by_id(driver, "progress")
    count = len(EXAMPLES)
    assert progress.get_attribute("data-done") == progress.get_attribute("data-total") == str(count)
    assert text("zh", "progress_done", done=count, total=count) in progress.text
    rows = _rows(driver)
    assert sorted(rows) == sorted(path.name for path in EXAMPLES)
    typed_over = rows[TYPED_OVER]
    assert typed_over.get_attribute("data-status") == "errors"
    assert typed_over.find_element("css selector", "td.total").text == "97 → 95"
    assert "中国共产党株洲市芦淞区委员会宣传部" in typed_over.find_element("css selector", "td.department").text
    codes = [code.text for code in typed_over.find_elements("css selector", "td.findings code")]
    assert "TOTAL_MISMATCH" in codes
    finding = next(item for item in typed_over.find_elements("css selector", "td.findings li")
                   if item.find_element("css selector", "code").text == "TOTAL_MISMATCH")
    assert re.fullmatch(r"自评表![A-Z]+\d+", finding.find_element("css selector", ".cell").text)
    assert "总分 97 与各项得分合计 95 不一致" in finding.find_element("css selector", ".message").text
    label, code, message = (finding.find_element("css selector", css) for css in (".label", "code", ".message"))
    assert label.text == "总分不一致" and finding.text.startswith("总分不一致")  # the words first
    assert finding.text.endswith("TOTAL_MISMATCH") and label.location["x"] < code.location["x"]
    size = (lambda node: float(node.value_of_css_property("font-size").removesuffix("px")))  # noqa: E731
    assert size(code) < size(message) and code.value_of_css_property("color") != message.value_of_css_property("color")
    assert rows["峨边县融媒体中心_2024_峨边在线项目_classic.xlsx"].get_attribute("data-status") == "clean"
    assert "通过 1" in _by_id(driver, "summary").text


def test_the_report_downloads_as_a_workbook(examples_page, tmp_path):
    import openpyxl

    saved = _download(examples_page, "report-link", tmp_path)
    assert saved.suffix == ".xlsx"
    book = openpyxl.load_workbook(saved, read_only=True)
    assert {"汇总", "问题明细", "统计"} <= set(book.sheetnames)
    cells = {line for row in book["汇总"].iter_rows(values_only=True) for value in row if value is not None
             for line in str(value).split("\n")}  # a department's several files, one per line
    assert TYPED_OVER in cells  # the clerk's file names, not the names files were stored under
    assert not any(re.fullmatch(r"\d{4}\.xlsx?", value) for value in cells)


def test_the_annotated_copies_and_the_json_download(examples_page, tmp_path):
    copies = _download(examples_page, "copies-link", tmp_path / "copies")
    with zipfile.ZipFile(copies) as bundle:
        names = bundle.namelist()
    assert TYPED_OVER in names and "峨边县融媒体中心_2024_峨边在线项目_classic.xlsx" not in names
    assert all(name.endswith(".xlsx") for name in names)
    assert text("zh", "copies_link", count=len(names)) == _by_id(examples_page, "copies-link").text
    saved = _download(examples_page, "json-link", tmp_path / "json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["summary"]["files"] == len(EXAMPLES)
    files = {entry["path"]: entry for entry in data["files"]}
    assert sorted(files) == sorted(path.name for path in EXAMPLES)
    mismatch = next(f for f in files[TYPED_OVER]["findings"] if f["code"] == "TOTAL_MISMATCH")
    assert (mismatch["found"], mismatch["expected"]) == (97, 95)


def _write_roster(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["部门编码", "部门名称"], *rows])
    return path


def test_a_roster_gives_a_zip_of_templates_and_manifest(browser, server, tmp_path):
    roster = _write_roster(tmp_path / "名单.csv", [["001", "株洲市芦淞区委宣传部"], ["002", "峨边县融媒体中心"],
                                                  ["003", "岳阳楼区委宣传部"]])
    browser.get(server.url)
    _choose(browser, "roster", [roster])
    _wait(browser, lambda d: _by_id(d, "templates-link").is_displayed() or _by_id(d, "roster-error").is_displayed(),
          120)
    assert not _by_id(browser, "roster-errors").is_displayed()
    saved = _download(browser, "templates-link", tmp_path / "templates")
    with zipfile.ZipFile(saved) as bundle:
        names = bundle.namelist()
        manifest = json.loads(bundle.read("manifest.json"))
    assert sorted(n for n in names if n.endswith(".xlsx")) == ["001_株洲市芦淞区委宣传部.xlsx", "002_峨边县融媒体中心.xlsx",
                                                                "003_岳阳楼区委宣传部.xlsx"]
    assert "manifest.json" in names
    assert [entry["code"] for entry in manifest["departments"]] == ["001", "002", "003"]


def test_a_bad_roster_shows_its_errors_row_by_row(browser, server, tmp_path):
    roster = _write_roster(tmp_path / "名单.csv", [["001", "甲单位"], ["001", "乙单位"], ["003", ""]])
    browser.get(server.url)
    _choose(browser, "roster", [roster])
    _wait(browser, lambda d: _by_id(d, "roster-errors").is_displayed(), 60)
    problems = {item.get_attribute("data-row"): item.text
                for item in browser.find_elements("css selector", "#roster-errors li")}
    assert "重复" in problems["3"] and "第 3 行" in problems["3"]
    assert "部门名称为空" in problems["4"]
    assert not _by_id(browser, "templates-link").is_displayed()


def test_a_file_that_is_no_workbook_gets_its_reason(browser, server, tmp_path):
    note = tmp_path / "说明.txt"
    note.write_text("这不是自评表", encoding="utf-8")
    renamed = tmp_path / "改了扩展名.xlsx"
    renamed.write_text("只是一段文字，扩展名改成了 xlsx", encoding="utf-8")
    _review(browser, server, [note, renamed, EXAMPLES[0]])
    rows = _rows(browser)
    assert rows[note.name].get_attribute("data-status") == "skipped"
    assert "不是工作簿" in rows[note.name].find_element("css selector", ".reason").text
    assert rows[renamed.name].get_attribute("data-status") == "unreadable"
    reason = rows[renamed.name].find_element("css selector", "td.findings").text
    assert "UNREADABLE_FILE" in reason and "不是 Excel 工作簿" in reason


def test_a_whole_folder_can_be_chosen(browser, server, tmp_path):
    inbox = tmp_path / "收回"
    (inbox / "二批").mkdir(parents=True)
    shutil.copyfile(EXAMPLES[0], inbox / EXAMPLES[0].name)
    shutil.copyfile(ROOT / "examples" / TYPED_OVER, inbox / "二批" / TYPED_OVER)
    _fresh_page(browser, server)
    _choose(browser, "submissions-folder", [inbox])
    _wait(browser, lambda d: _by_id(d, "progress").get_attribute("data-state") == "done", 120)
    rows = _rows(browser)
    assert sorted(rows) == sorted([f"收回/{EXAMPLES[0].name}", f"收回/二批/{TYPED_OVER}"])
    assert rows[f"收回/二批/{TYPED_OVER}"].find_element("css selector", "td.total").text == "97 → 95"


def test_closing_the_page_deletes_its_templates_and_keeps_its_round(browser, server, tmp_path):
    _review(browser, server, EXAMPLES[:2])
    roster = _write_roster(tmp_path / "名单.csv", [["001", "甲单位"]])
    _choose(browser, "roster", [roster])
    _wait(browser, lambda d: _by_id(d, "templates-link").is_displayed(), 120)
    session = max((s for s in server.registry._sessions.values() if s.folder is not None), key=lambda s: s.last_seen)
    folder, kept = session.folder, session.round.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(kept.stat().st_mode) == 0o700
    browser.get("about:blank")  # the page's pagehide request ends its session: its templates go
    _wait(browser, lambda d: not folder.exists(), 20)
    assert kept.is_dir()  # the round stays until the clerk starts a new one (or the server stops)


def test_the_page_in_english(browser, tmp_path):
    folders = tmp_path / "web"  # (the ledger, tests/conftest.py's, lies beside it)
    folders.mkdir()
    web = WebServer(port=0, lang="en", tmp_root=str(folders)).start()
    try:
        _review(browser, web, [path for path in EXAMPLES if path.name == TYPED_OVER])
        assert browser.title == text("en", "title")
        assert text("en", "progress_done", done=1, total=1) in _by_id(browser, "progress").text
        row = _rows(browser)[TYPED_OVER]
        assert row.find_element("css selector", "td.status").text == "errors"
        assert "total 97 differs from the sum of its parts 95" in row.find_element("css selector", "td.findings").text
        assert not re.search(r"[\u4e00-\u9fff]", _by_id(browser, "review").find_element("css selector", "h2").text)
        browser.get("about:blank")
    finally:
        web.stop()
    assert list(folders.iterdir()) == []


def _select(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(_by_id(driver, element_id)).select_by_value(value)


def _shown(driver) -> list:
    return driver.find_elements("css selector", "#results tbody tr")


def test_the_results_filter_by_status_code_and_department_and_sort(browser, server):
    driver = browser
    _review(driver, server, EXAMPLES)
    everything = len(_shown(driver))
    assert everything == len(EXAMPLES) and _by_id(driver, "filters").is_displayed()
    _select(driver, "filter-status", "errors")
    errors = _shown(driver)
    assert errors and len(errors) < everything
    assert all(row.get_attribute("data-status") == "errors" for row in errors)
    assert _by_id(driver, "shown").text == text("zh", "shown", shown=len(errors), total=everything)
    _select(driver, "filter-status", "")
    codes = [option.get_attribute("value") for option in driver.find_elements("css selector", "#filter-code option")]
    assert "TOTAL_MISMATCH" in codes and "" in codes
    assert "总分不一致（TOTAL_MISMATCH）" in _by_id(driver, "filter-code").text  # the words first
    _select(driver, "filter-code", "TOTAL_MISMATCH")
    with_code = _shown(driver)
    assert TYPED_OVER in {row.get_attribute("data-name") for row in with_code} and len(with_code) < everything
    assert all("TOTAL_MISMATCH" in row.text for row in with_code)
    _select(driver, "filter-code", "")
    _by_id(driver, "filter-department").send_keys("芦淞")
    lusong = _shown(driver)
    assert lusong and all("芦淞" in row.find_element("css selector", "td.department").text for row in lusong)
    _by_id(driver, "filter-department").clear()
    _by_id(driver, "filter-department").send_keys(" ")  # 'input' fires: everything again
    assert len(_shown(driver)) == everything
    assert not _by_id(driver, "pager").is_displayed()  # one page: no pager
    _select(driver, "sort", "status")
    statuses = [row.get_attribute("data-status") for row in _shown(driver)]
    order = ["errors", "unreadable", "warnings", "clean", "superseded", "skipped"]
    assert statuses == sorted(statuses, key=order.index) and statuses[0] == "errors"
    _select(driver, "sort", "findings")
    counts = [len(row.find_elements("css selector", "td.findings li")) for row in _shown(driver)]
    assert counts == sorted(counts, reverse=True)
    _select(driver, "sort", "name")


def test_long_results_are_paged_and_long_findings_collapsed(browser, tmp_path):
    with _small_server(tmp_path, page_rows=3, findings_shown=1) as web:
        _review(browser, web, EXAMPLES)
        pages = -(-len(EXAMPLES) // 3)
        assert len(_shown(browser)) == 3 and _by_id(browser, "pager").is_displayed()
        assert _by_id(browser, "page-number").text == text("zh", "page_number", page=1, pages=pages)
        first = [row.get_attribute("data-name") for row in _shown(browser)]
        _by_id(browser, "page-next").click()
        second = [row.get_attribute("data-name") for row in _shown(browser)]
        assert second and not set(first) & set(second)
        assert _by_id(browser, "page-number").text == text("zh", "page_number", page=2, pages=pages)
        _select(browser, "filter-code", "TOTAL_MISMATCH")  # a filter starts again from the first page
        assert _by_id(browser, "page-number").get_attribute("textContent").startswith("第 1 /")
        _select(browser, "filter-code", "")
        _by_id(browser, "filter-department").send_keys(TYPED_OVER)
        [row] = _shown(browser)
        findings = row.find_elements("css selector", "td.findings li")
        hidden = len(reconcile_file(ROOT / "examples" / TYPED_OVER).findings) - 1
        assert len(findings) == 1 and hidden >= 2
        toggle = row.find_element("css selector", "button.more")
        assert toggle.text == text("zh", "more_findings", count=hidden)
        toggle.click()
        [row] = _shown(browser)
        assert len(row.find_elements("css selector", "td.findings li")) == hidden + 1
        browser.get("about:blank")


# --- the round: a roster, a correction added, the ledger, no internal name anywhere --------------------

ROSTER = [["001", "峨边彝族自治县融媒体中心"], ["002", "中国共产党株洲市芦淞区委员会宣传部"],
          ["003", "中国共产党广州市荔湾区委员会宣传部"], ["004", "某某县财政局"]]
STORED = re.compile(r"(?<![0-9A-Za-z])(~\$)?\d{4}\.(xlsx|xlsm|xls|docx|doc|bin|pdf|et|ods)")


def _saved_later(source: Path, target: Path, when: str = "2030-01-02T03:04:05Z") -> Path:
    """A copy of ``source`` whose spreadsheet program saved it at ``when`` (a department's correction)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            copy.writestr(item, data)
    return target


def _departments(driver) -> dict[str, object]:
    return {row.get_attribute("data-name"): row
            for row in driver.find_elements("css selector", "#departments tbody tr")}


def _texts_of_outputs(report: Path, copies: Path, data: str) -> dict[str, str]:
    """Every text the outputs hold: cells and comments of the report and the copies, the Word copies'
    XML, the copies' names, the JSON."""
    import openpyxl

    texts = {"json": data, "report": "\n".join(str(value) for sheet in openpyxl.load_workbook(report)
                                               for row in sheet.iter_rows(values_only=True)
                                               for value in row if value is not None)}
    folder = copies.parent / "unzipped"
    with zipfile.ZipFile(copies) as bundle:
        texts["copy names"] = "\n".join(bundle.namelist())
        bundle.extractall(folder)
    for path in folder.iterdir():
        with zipfile.ZipFile(path) as archive:  # every part: cells, shared strings, comments, properties
            texts[path.name] = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                                         if name.endswith((".xml", ".rels", ".vml")))
    return texts


def test_a_round_with_a_roster_a_correction_and_the_ledger(browser, tmp_path, own_ledger):
    """The round as a clerk runs it: roster, first batch, the status table; a department's corrected
    file added; the page reloaded; the downloads and the ledger never name a stored upload."""
    from perfxl.collection.ledger import status

    folders = tmp_path / "web"
    folders.mkdir()
    with _small_server(folders) as web:
        roster = _write_roster(tmp_path / "名单.csv", ROSTER)
        bad = tmp_path / "另存为宏.xlsm"
        bad.write_bytes(b"PK\x03\x04 not really a workbook")
        first = [ROOT / "examples" / name for name in (TYPED_OVER, "峨边县融媒体中心_2024_整体与三个项目.xlsx",
                                                       "峨边县融媒体中心_2024_自评报告.docx", "荔湾区委宣传部_2022_自评表.xlsx")]
        _fresh_page(browser, web)
        _choose(browser, "review-roster", [roster])
        _wait(browser, lambda d: "名单：名单.csv（4 个部门）" in _by_id(d, "review-lists").text, 60)
        _choose(browser, "submissions", [*first, bad])
        _wait(browser, lambda d: _by_id(d, "progress").get_attribute("data-state") == "done", 300)
        departments = _departments(browser)
        assert list(departments)[:4] == [name for _, name in ROSTER]  # roster order, then files of no department
        lusong = departments[ROSTER[1][1]]
        assert lusong.get_attribute("data-status") == "errors" and lusong.get_attribute("data-code") == "002"
        assert departments["某某县财政局"].get_attribute("data-status") == "not_submitted"
        assert "未提交" in departments["某某县财政局"].text
        ebian = departments[ROSTER[0][1]].find_element("css selector", "td.received").text
        assert "报告（峨边县融媒体中心_2024_自评报告.docx）" in ebian and "峨边县融媒体中心_2024_整体与三个项目.xlsx" in ebian
        assert departments[bad.name].get_attribute("data-status") == "unmatched"  # its own name, not 0005.xlsm
        assert "名单 4 个部门" in _by_id(browser, "department-counts").text
        assert _by_id(browser, "choose-files-label").text == text("zh", "add_files")

        corrected = _saved_later(ROOT / "examples" / "芦淞区委宣传部_2024_自评表.xlsx", tmp_path / TYPED_OVER)
        _choose(browser, "submissions", [corrected])  # sent back under the same name: the second batch
        second = text("zh", "batch_folder", batch=2) + "/" + TYPED_OVER
        _wait(browser, lambda d: second in _rows(d) and _by_id(d, "progress").get_attribute("data-state") == "done",
              300)
        rows = _rows(browser)
        assert rows[TYPED_OVER].get_attribute("data-status") == "superseded"
        assert second in rows[TYPED_OVER].text  # 已被 第2批/… 替换
        lusong = _departments(browser)[ROSTER[1][1]]
        assert lusong.get_attribute("data-status") == "warnings"  # the corrected table counts, not the 97
        assert second in lusong.find_element("css selector", "td.received").text
        assert TYPED_OVER in lusong.find_element("css selector", "td.replaced").text
        assert text("zh", "round_files", files=6, batches=2) == _by_id(browser, "chosen").text

        browser.get("about:blank")  # the tab closed, opened again: the round is still there
        browser.get(web.url)
        _wait(browser, lambda d: len(_rows(d)) == 6 and _by_id(d, "departments-box").is_displayed(), 60)
        assert _departments(browser)[ROSTER[1][1]].get_attribute("data-status") == "warnings"

        report = _download(browser, "report-link", tmp_path / "report")
        copies = _download(browser, "copies-link", tmp_path / "copies")
        data = _download(browser, "json-link", tmp_path / "json").read_text(encoding="utf-8")
        [page_round] = list(web.registry._rounds.values())
        stored = page_round.stored
        assert len(stored) == 6 and all(STORED.fullmatch(name) for name in stored)
        outputs = _texts_of_outputs(report, copies, data)
        for where, content in outputs.items():
            leaked = [name for name in stored if name in content] or STORED.findall(content)
            assert not leaked, (where, leaked)
        assert second in outputs["report"] and bad.name in outputs["report"]
        assert TYPED_OVER in outputs["copy names"] or second.rsplit("/", 1)[1] in outputs["copy names"]
        listing = json.loads(data)
        assert {entry["path"] for entry in listing["files"]} == {*(p.name for p in first), bad.name, second}
        by_code = {entry["code"]: entry for entry in listing["round"]["departments"]}
        assert (by_code["002"]["status"], by_code["004"]["status"]) == ("warnings", "not_submitted")

        ledger = own_ledger  # the command's default ledger (tests/conftest.py points $PERFXL_LEDGER here)
        assert ledger.exists()
        seen = {entry.name: entry for entry in status(ledger)}
        assert seen[ROSTER[1][1]].latest_path == second and seen[ROSTER[1][1]].status == "warnings"
        assert seen["某某县财政局"].status == "not_submitted"
        import sqlite3

        with sqlite3.connect(ledger) as db:
            dump = "\n".join(db.iterdump())
        leaks = [line[:300] for line in dump.splitlines() if any(name in line for name in stored)]
        assert not leaks and not STORED.findall(dump), leaks

        browser.find_element("id", "new-round").click()  # a new round, explicitly: the old one goes
        browser.switch_to.alert.accept()
        _wait(browser, lambda d: not page_round.folder.exists(), 30)
        assert not _rows(browser) and not _by_id(browser, "departments-box").is_displayed()
        assert _by_id(browser, "choose-files-label").text == text("zh", "choose_files")
        browser.get("about:blank")
    assert list(folders.iterdir()) == []


@pytest.mark.skipif(not os.environ.get("PERFXL_WEB_SCREENSHOT"), reason="set PERFXL_WEB_SCREENSHOT=1")
def test_screenshot_of_the_page_with_results(browser, server, tmp_path):
    _fresh_page(browser, server)
    _choose(browser, "review-roster", [_write_roster(tmp_path / "名单.csv", ROSTER)])
    _wait(browser, lambda d: "名单.csv" in _by_id(d, "review-lists").text, 60)
    _choose(browser, "submissions", EXAMPLES)
    _wait(browser, lambda d: _by_id(d, "progress").get_attribute("data-state") == "done", 300)
    _wait(browser, lambda d: _by_id(d, "copies-link").is_displayed(), 120)
    for _ in range(2):  # the window's size includes what the browser draws around the page
        height, inner, outer = browser.execute_script(
            "return [document.documentElement.scrollHeight, window.innerHeight, window.outerHeight]")
        browser.set_window_size(1400, min(height + max(0, outer - inner), 4000))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    browser.set_window_size(1400, 1000)


# --- plain HTTP: the defences ---------------------------------------------------------------------

def _request(server: WebServer, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None, host: str | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host or f"127.0.0.1:{server.port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or b"")
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _token(server: WebServer) -> str:
    status, _, page = _request(server, "GET", "/")
    assert status == 200
    return re.search(rb'name="perfxl-token" content="([^"]+)"', page).group(1).decode()


def _round(server: WebServer, token: str, files: list[dict]) -> tuple[int, dict]:
    """A new round with ``files`` as its first batch, as the page makes it: (status, answer)."""
    status, _, body = _request(server, "POST", "/api/round", b"", {"X-Perfxl-Token": token})
    assert status == 200
    round_id = json.loads(body)["round"]
    status, _, body = _request(server, "POST", f"/api/round/{round_id}/files", json.dumps({"files": files}).encode(),
                               {"X-Perfxl-Token": token, "Content-Type": "application/json"})
    return status, {"round": round_id, **json.loads(body)}


@contextlib.contextmanager
def _small_server(tmp_path: Path, **limits):
    web = WebServer(port=0, tmp_root=str(tmp_path), limits=Limits(**limits)).start()
    try:
        yield web
    finally:
        web.stop()


def test_a_foreign_host_header_is_refused(server):
    for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1:{server.port + 1}", "127.0.0.1"):
        status = _request(server, "GET", "/", host=host)[0]
        assert status == 400, host
    assert _request(server, "GET", "/", host=f"localhost:{server.port}")[0] == 200


def test_every_api_call_needs_the_page_token(server):
    token = _token(server)
    assert _request(server, "POST", "/api/ping")[0] == 403
    assert _request(server, "POST", "/api/round", b'{"files": []}')[0] == 403
    assert _request(server, "DELETE", "/api/session")[0] == 403
    assert _request(server, "POST", "/api/ping", headers={"X-Perfxl-Token": "guessed"})[0] == 410
    assert _request(server, "POST", "/api/ping", headers={"X-Perfxl-Token": token})[0] == 204
    foreign = {"X-Perfxl-Token": token, "Origin": "http://evil.example"}
    assert _request(server, "POST", "/api/ping", headers=foreign)[0] == 403
    status, headers, _ = _request(server, "OPTIONS", "/api/ping", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert status >= 400 and not any(name.startswith("access-control-") for name in headers)
    status, headers, _ = _request(server, "GET", "/")
    assert not any(name.startswith("access-control-") for name in headers)
    assert "script-src 'self'" in headers["content-security-policy"]


def test_the_server_listens_on_127_0_0_1_only(server):
    assert server.socket.getsockname()[0] == "127.0.0.1"
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: only picks this machine's outward address
        address = probe.getsockname()[0]
    except OSError:
        address = None
    finally:
        probe.close()
    if address and not address.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=3).close()


def test_downloads_only_of_what_a_session_made(server):
    assert _request(server, "GET", "/download/not-a-key")[0] == 404
    assert _request(server, "GET", "/static/../sessions.py")[0] == 404
    assert _request(server, "GET", "/static/%2e%2e/sessions.py")[0] == 404


def test_uploads_are_limited_in_count_and_size(tmp_path):
    with _small_server(tmp_path, max_files=3, file_bytes=1000, total_bytes=2500) as web:
        token = _token(web)
        status, body = _round(web, token, [{"name": f"{n}.xlsx", "size": 10} for n in range(4)])
        assert status == 413 and "最多审核 3 个文件" in body["error"]
        status, body = _round(web, token, [{"name": "大.xlsx", "size": 1001}])
        assert status == 413 and "大.xlsx" in body["error"]
        status, body = _round(web, token, [{"name": f"{n}.xlsx", "size": 900} for n in range(3)])
        assert status == 413 and "2700" not in body["error"] and "合计" in body["error"]
        status, body = _round(web, token, [{"name": "a.xlsx", "size": 10}])
        assert status == 200
        upload = f"/api/round/{body['round']}/file/0"
        status, _, _ = _request(web, "POST", upload, b"x" * 11, {"X-Perfxl-Token": token})
        assert status == 413  # more than it said it would send
        session = next(iter(web.registry._sessions.values()))
        assert list((session.round.inbox).iterdir()) == []
        assert _request(web, "POST", upload, b"x" * 10, {"X-Perfxl-Token": token})[0] == 200
        assert _request(web, "POST", upload, b"x" * 10, {"X-Perfxl-Token": token})[0] == 409


def test_a_client_file_name_is_never_a_path(tmp_path):
    with _small_server(tmp_path) as web:
        token = _token(web)
        names = ["../../逃逸.xlsx", "收回/子目录\\名单.XLSX", "/etc/passwd", "~$锁定.xlsx", "说明.TXT"]
        status, body = _round(web, token, [{"name": name, "size": 3} for name in names])
        assert status == 200
        for index in range(len(names)):
            assert _request(web, "POST", f"/api/round/{body['round']}/file/{index}", b"abc",
                            {"X-Perfxl-Token": token})[0] == 200
        session = next(iter(web.registry._sessions.values()))
        stored = sorted(p.name for p in session.round.inbox.iterdir())
        assert stored == ["0001.xlsx", "0002.xlsx", "0003.bin", "0005.bin", "~$0004.xlsx"]
        assert sorted(p.name for p in tmp_path.iterdir()) == [session.round.folder.name]
        assert session.round.display[:2] == ["逃逸.xlsx", "收回/子目录/名单.XLSX"]
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in session.round.inbox.iterdir())


def test_a_flood_of_page_loads_does_not_end_a_page_in_use(tmp_path):
    with _small_server(tmp_path, sessions=3) as web:
        token = _token(web)
        assert _request(web, "POST", "/api/ping", headers={"X-Perfxl-Token": token})[0] == 204
        for _ in range(10):
            _token(web)
        assert len(web.registry) == 3
        assert _request(web, "POST", "/api/ping", headers={"X-Perfxl-Token": token})[0] == 204


def test_rounds_outlive_their_page_and_go_when_a_new_one_starts_or_idle_or_stopped(tmp_path):
    with _small_server(tmp_path, idle_seconds=3600, round_idle_seconds=7200) as web:
        token = _token(web)
        assert _round(web, token, [{"name": "a.xlsx", "size": 1}])[0] == 200
        session = web.registry.find(token)
        first = session.round
        assert first.folder.is_dir() and stat.S_IMODE(first.folder.stat().st_mode) == 0o700
        assert _request(web, "DELETE", "/api/session", headers={"X-Perfxl-Token": token})[0] == 204
        assert web.registry.find(token) is None and first.folder.is_dir()  # the page closed: the round stays
        token = _token(web)  # the page opened again finds its round by its key
        status, _, answer = _request(web, "POST", "/api/round/resume", json.dumps({"key": first.key}).encode(),
                                     {"X-Perfxl-Token": token})
        assert status == 200 and json.loads(answer)["round"] == first.id and json.loads(answer)["files"] == 1
        assert _request(web, "POST", "/api/round/resume", b'{"key": "guessed"}', {"X-Perfxl-Token": token})[0] == 404
        status, second = _round(web, token, [{"name": "b.xlsx", "size": 1}])  # a new round: the old one goes
        assert status == 200 and not first.folder.exists()
        assert _request(web, "DELETE", f"/api/round/{second['round']}", headers={"X-Perfxl-Token": token})[0] == 204
        assert web.registry.find(token).round is None

        assert _round(web, token, [{"name": "c.xlsx", "size": 1}])[0] == 200
        idle = web.registry.find(token).round
        web.registry.end(web.registry.find(token))
        idle.last_seen -= 7201
        assert web.registry.reap() == 1 and not idle.folder.exists()

        token = _token(web)
        assert _round(web, token, [{"name": "d.xlsx", "size": 1}])[0] == 200
        running = web.registry.find(token).round.folder
    assert not running.exists()  # the server stopped
    assert list(tmp_path.iterdir()) == []


def test_a_restart_right_after_stopping_gets_the_same_port(tmp_path):
    """The page was open when the server stopped: its connection lingers in TIME_WAIT, and a plain
    socket cannot have the port; the server (uvicorn's socket, SO_REUSEADDR) starts at once."""
    web = WebServer(port=0, tmp_root=str(tmp_path)).start()
    port = web.port
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    page.request("GET", "/static/style.css")
    page.getresponse().read()  # kept alive: the server closes it when it stops
    web.stop()
    try:
        if os.name != "nt":
            with socket.socket() as plain, pytest.raises(OSError):
                plain.bind(("127.0.0.1", port))  # proves the old connection is still there
        again = WebServer(port=port, tmp_root=str(tmp_path)).start()
        assert again.port == port
        assert _request(again, "GET", "/")[0] == 200
        again.stop()
    finally:
        page.close()


def test_a_port_really_taken_names_what_to_do(server, tmp_path):
    with pytest.raises(WebError) as perfxl_there:
        WebServer(port=server.port, tmp_root=str(tmp_path))
    message = str(perfxl_there.value)
    assert server.url in message and "perfxl 网页在运行" in message
    free = int(re.search(r"--port (\d+)", message).group(1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", free))  # the port it suggests is free
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        with pytest.raises(WebError) as program_there:
            WebServer(port=taken, lang="en", tmp_root=str(tmp_path))
    message = str(program_there.value)
    assert f"Port {taken} is taken" in message and "--port" in message
    if Path("/proc/net/tcp").exists():  # Linux names the program and its process
        assert f"(process {os.getpid()})" in message and "python" in message
    assert list(tmp_path.iterdir()) == []
