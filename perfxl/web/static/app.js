// perfxl's web page: plain JavaScript, no library, nothing from the internet.
// Everything a department wrote (names, messages) is put in the page as text, never as HTML.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("perfxl-config").textContent);
  const T = config.texts;
  const LIMITS = config.limits;
  const TOKEN = document.querySelector('meta[name="perfxl-token"]').content;
  const UPLOADS_AT_ONCE = 4;
  const POLL_MS = 300;
  const PING_MS = 60000;
  const PAGE_ROWS = LIMITS.page_rows || 50; // rows of the results table shown at once
  const FINDINGS_SHOWN = LIMITS.findings_shown || 5; // a row's findings beyond these are collapsed
  const STATUS_ORDER = ["errors", "unreadable", "warnings", "clean", "superseded", "skipped"];
  const view = { rows: [], page: 0, expanded: new Set() }; // the results, filtered and paged in the page
  const $ = (id) => document.getElementById(id);
  let generation = 0; // each choice of files; an older one stops when a newer one starts

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
  }

  function element(tag, className, textValue) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (textValue !== undefined && textValue !== null) node.textContent = String(textValue);
    return node;
  }

  async function api(method, url, body, headers) {
    let response;
    try {
      response = await fetch(url, {
        method: method,
        body: body,
        headers: Object.assign({ "X-Perfxl-Token": TOKEN }, headers || {}),
        cache: "no-store",
        credentials: "same-origin",
      });
    } catch (err) {
      throw new Error(T.network);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok && !(data && data.problems)) {
      const message = data && data.error ? data.error : response.status === 403 ? T.session_expired : T.bad_request;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return data || {};
  }

  // --- review -----------------------------------------------------------------------------------

  function setProgress(state, done, total) {
    const box = $("progress");
    box.dataset.state = state;
    box.dataset.done = String(done);
    box.dataset.total = String(total);
    const key = { uploading: "progress_uploading", running: "progress_running", done: "progress_done" }[state];
    $("progress-text").textContent = key ? fill(T[key], { done: done, total: total }) : state === "failed" ? T.progress_failed : "";
    $("progress-fill").style.width = total ? Math.round((100 * done) / total) + "%" : "0";
  }

  function showError(id, message) {
    const box = $(id);
    box.textContent = message || "";
    box.hidden = !message;
  }

  function resetReview() {
    showError("error", "");
    $("summary").hidden = true;
    $("downloads").hidden = true;
    for (const id of ["report-link", "copies-link", "json-link", "no-copies", "copies-status"]) $(id).hidden = true;
    $("annotate-errors").hidden = true;
    view.rows = [];
    view.page = 0;
    view.expanded.clear();
    renderResults();
  }

  function checkLimits(files) {
    if (files.length > LIMITS.max_files) {
      return fill(T.too_many_files, { max_files: LIMITS.max_files, count: files.length });
    }
    let total = 0;
    for (const entry of files) {
      if (entry.file.size > LIMITS.file_bytes) {
        return fill(T.file_too_large, { name: entry.name, file_mb: LIMITS.file_bytes / 1048576 });
      }
      total += entry.file.size;
    }
    if (total > LIMITS.total_bytes) {
      return fill(T.total_too_large, { total_mb_found: Math.round(total / 1048576), total_size: LIMITS.total_size });
    }
    return null;
  }

  async function review(input) {
    const files = Array.from(input.files || []).map((file) => ({ file: file, name: file.webkitRelativePath || file.name }));
    input.value = ""; // choosing the same files again starts again
    if (!files.length) return;
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const mine = ++generation;
    resetReview();
    $("chosen").textContent = fill(T.chosen, { count: files.length });
    const refused = checkLimits(files);
    if (refused) {
      setProgress("failed", 0, files.length);
      showError("error", refused);
      return;
    }
    try {
      const listing = JSON.stringify({ files: files.map((entry) => ({ name: entry.name, size: entry.file.size })) });
      const created = await api("POST", "/api/round", listing, { "Content-Type": "application/json" });
      await uploadAll(created.round, files, mine);
      if (mine !== generation) return;
      await api("POST", "/api/round/" + created.round + "/start");
      await follow(created.round, mine);
    } catch (err) {
      if (mine === generation) {
        setProgress("failed", Number($("progress").dataset.done), files.length);
        showError("error", err.message);
      }
    }
  }

  async function uploadAll(roundId, files, mine) {
    let next = 0;
    let done = 0;
    setProgress("uploading", 0, files.length);
    async function worker() {
      while (next < files.length && mine === generation) {
        const index = next++;
        await api("POST", "/api/round/" + roundId + "/file/" + index, files[index].file,
          { "Content-Type": "application/octet-stream" });
        done++;
        if (mine === generation) setProgress("uploading", done, files.length);
      }
    }
    const workers = [];
    for (let i = 0; i < UPLOADS_AT_ONCE; i++) workers.push(worker());
    await Promise.all(workers);
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function follow(roundId, mine) {
    let since = 0;
    setProgress("running", 0, 0);
    while (mine === generation) {
      const data = await api("GET", "/api/round/" + roundId + "?since=" + since);
      if (mine !== generation) return;
      if (data.final) {
        view.rows = data.rows;
      } else {
        view.rows = view.rows.concat(data.rows);
        since += data.rows.length;
      }
      if (data.final || data.rows.length) renderResults();
      setProgress(data.state, data.done, data.total);
      if (data.state === "done") {
        showDone(data);
        await followCopies(roundId, mine, data);
        return;
      }
      if (data.state === "failed" || data.state === "cancelled") {
        showError("error", data.error || T.progress_failed);
        return;
      }
      await sleep(POLL_MS);
    }
  }

  async function followCopies(roundId, mine, data) {
    while (data.copies_state === "pending") {
      await sleep(4 * POLL_MS);
      if (mine !== generation) return;
      data = await api("GET", "/api/round/" + roundId + "?rows=no");
      if (mine !== generation) return;
    }
    showCopies(data);
  }

  function total(value) {
    return value === null || value === undefined ? "—" : String(value);
  }

  function resultRow(row) {
    const tr = element("tr", "status-" + row.status);
    tr.dataset.name = row.name;
    tr.dataset.status = row.status;
    tr.appendChild(element("td", "name", row.name));
    tr.appendChild(element("td", "department", row.department || ""));
    const both = row.declared === null && row.computed === null;
    tr.appendChild(element("td", "total", both ? "" : total(row.declared) + " → " + total(row.computed)));
    const status = element("td", "status", row.status_label);
    if (row.superseded_by) status.appendChild(element("div", "superseded", fill(T.superseded_by, { name: row.superseded_by })));
    tr.appendChild(status);
    const findings = element("td", "findings");
    if (row.reason) findings.appendChild(element("p", "reason", row.reason));
    if (row.findings.length) {
      const list = element("ul");
      const open = view.expanded.has(row.name) || row.findings.length <= FINDINGS_SHOWN + 1;
      for (const finding of open ? row.findings : row.findings.slice(0, FINDINGS_SHOWN)) {
        list.appendChild(findingItem(finding));
      }
      findings.appendChild(list);
      if (row.findings.length > FINDINGS_SHOWN + 1) {
        const hidden = row.findings.length - FINDINGS_SHOWN;
        const toggle = element("button", "more", open ? T.fewer_findings : fill(T.more_findings, { count: hidden }));
        toggle.type = "button";
        toggle.addEventListener("click", () => {
          if (view.expanded.has(row.name)) view.expanded.delete(row.name);
          else view.expanded.add(row.name);
          tr.replaceWith(resultRow(row));
        });
        findings.appendChild(toggle);
      }
    }
    for (const note of row.notes) findings.appendChild(element("p", "note", note));
    tr.appendChild(findings);
    return tr;
  }

  // The words first (short label, place, message); the code after them, small and grey.
  function findingItem(finding) {
    const item = element("li", "finding " + finding.severity);
    item.dataset.code = finding.code;
    item.appendChild(element("span", "label", finding.label));
    const where = [finding.sheet, finding.cell].filter(Boolean).join("!");
    if (where) item.appendChild(element("span", "cell", where));
    item.appendChild(element("span", "message", finding.message));
    item.appendChild(element("code", "code", finding.code));
    return item;
  }

  // --- the results: filtered, sorted and paged in the page (hundreds of files stay one screen) -----

  function compare(a, b) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  const SORT_KEYS = {
    name: (row) => [row.name],
    department: (row) => [row.department || "\uffff", row.name],
    status: (row) => [STATUS_ORDER.indexOf(row.status), row.name],
    findings: (row) => [-row.findings.length, row.name],
  };

  function filteredRows() {
    const status = $("filter-status").value;
    const code = $("filter-code").value;
    const words = $("filter-department").value.trim().toLowerCase();
    const kept = view.rows.filter((row) => (!status || row.status === status)
      && (!code || row.findings.some((finding) => finding.code === code))
      && (!words || (row.department || "").toLowerCase().includes(words) || row.name.toLowerCase().includes(words)));
    const key = SORT_KEYS[$("sort").value] || SORT_KEYS.name;
    return kept.map((row) => ({ row: row, key: key(row) })).sort((a, b) => compare(a.key, b.key)).map((x) => x.row);
  }

  function updateCodeChoices() {
    const select = $("filter-code");
    const labels = new Map();
    for (const row of view.rows) for (const finding of row.findings) labels.set(finding.code, finding.label);
    const chosen = select.value;
    const codes = Array.from(labels.keys()).sort((a, b) => compare([labels.get(a)], [labels.get(b)]));
    const options = [element("option", "", T.filter_all)];
    options[0].value = "";
    for (const code of codes) {
      const option = element("option", "", labels.get(code) + "（" + code + "）");
      option.value = code;
      options.push(option);
    }
    select.replaceChildren(...options);
    select.value = labels.has(chosen) ? chosen : "";
  }

  function renderResults() {
    updateCodeChoices();
    const rows = filteredRows();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    view.page = Math.min(view.page, pages - 1);
    const shown = rows.slice(view.page * PAGE_ROWS, (view.page + 1) * PAGE_ROWS);
    $("results").querySelector("tbody").replaceChildren(...shown.map(resultRow));
    $("filters").hidden = !view.rows.length;
    $("shown").textContent = fill(T.shown, { shown: rows.length, total: view.rows.length });
    $("pager").hidden = pages < 2;
    $("page-number").textContent = fill(T.page_number, { page: view.page + 1, pages: pages });
    $("page-prev").disabled = view.page === 0;
    $("page-next").disabled = view.page >= pages - 1;
  }

  function showDone(data) {
    const s = data.summary;
    let line = fill(T.summary, {
      files: s.files, clean: s.clean, warnings: s.with_warnings_only, errors: s.with_errors, unreadable: s.unreadable,
    });
    if (s.skipped) line += fill(T.summary_skipped, { skipped: s.skipped });
    if (s.superseded) line += fill(T.summary_superseded, { superseded: s.superseded });
    $("summary").textContent = line;
    $("summary").hidden = false;
    link("report-link", data.report);
    link("json-link", data.json);
    $("copies-status").hidden = false;
    $("downloads").hidden = false;
  }

  function showCopies(data) {
    $("copies-status").hidden = true;
    if (data.copies_state === "failed") {
      showError("error", data.copies_error);
      return;
    }
    if (data.copies) {
      link("copies-link", data.copies_url);
      $("copies-link").textContent = fill(T.copies_link, { count: data.copies });
    } else {
      $("no-copies").hidden = false;
    }
    const failed = $("annotate-errors");
    failed.querySelector("ul").replaceChildren(...data.annotate_errors.map((entry) => {
      const base = entry.name.split("/").pop();
      return element("li", "", entry.message.includes(base) ? entry.message : entry.name + ": " + entry.message);
    }));
    failed.hidden = !data.annotate_errors.length;
  }

  function link(id, url) {
    const anchor = $(id);
    anchor.href = url;
    anchor.setAttribute("download", "");
    anchor.hidden = false;
  }

  // --- templates from a roster ------------------------------------------------------------------

  async function roster(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    $("templates-link").hidden = true;
    $("roster-errors").hidden = true;
    showError("roster-error", "");
    $("roster-status").textContent = T.roster_working;
    const query = "?year=" + encodeURIComponent($("year").value) + "&scheme=" + encodeURIComponent($("scheme").value);
    try {
      const data = await api("POST", "/api/roster" + query, file,
        { "Content-Type": "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) });
      $("roster-status").textContent = "";
      if (data.problems) {
        const list = $("roster-errors").querySelector("ol");
        list.replaceChildren(...data.problems.map((problem) => {
          const item = element("li", "problem");
          if (problem.row) {
            item.dataset.row = String(problem.row);
            item.appendChild(element("span", "row", fill(T.row, { row: problem.row })));
          }
          item.appendChild(element("span", "message", problem.message));
          return item;
        }));
        $("roster-errors").hidden = false;
      } else {
        link("templates-link", data.download);
        $("templates-link").textContent = fill(T.templates_link, { count: data.count });
      }
    } catch (err) {
      $("roster-status").textContent = "";
      showError("roster-error", err.message);
    }
    input.value = "";
  }

  // --- the session: kept alive while the page is open, ended when it is closed ------------------

  $("submissions").addEventListener("change", (event) => review(event.target));
  $("submissions-folder").addEventListener("change", (event) => review(event.target));
  $("roster").addEventListener("change", (event) => roster(event.target));
  for (const id of ["filter-status", "filter-code", "sort"]) {
    $(id).addEventListener("change", () => { view.page = 0; renderResults(); });
  }
  $("filter-department").addEventListener("input", () => { view.page = 0; renderResults(); });
  $("page-prev").addEventListener("click", () => { view.page = Math.max(0, view.page - 1); renderResults(); });
  $("page-next").addEventListener("click", () => { view.page += 1; renderResults(); });
  setInterval(() => api("POST", "/api/ping").catch(() => {}), PING_MS);
  window.addEventListener("pagehide", () => {
    fetch("/api/session", { method: "DELETE", keepalive: true, headers: { "X-Perfxl-Token": TOKEN } }).catch(() => {});
  });
})();
