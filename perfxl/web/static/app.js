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

  const ROUND_KEY = "perfxl-round"; // the page's own storage: the round survives a reload
  let current = null; // the round shown: {id}

  function setProgress(state, done, total, stage) {
    const box = $("progress");
    box.dataset.state = state;
    box.dataset.stage = stage || "";
    box.dataset.done = String(done);
    box.dataset.total = String(total);
    let key = { uploading: "progress_uploading", running: "progress_running", done: "progress_done" }[state];
    if (state === "running" && stage === "annotate") key = "progress_annotate";
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
    $("departments-box").hidden = true;
    $("round-note").hidden = true;
    view.rows = [];
    view.page = 0;
    view.expanded.clear();
    renderResults();
  }

  // What the round holds: its files (the pickers now add to it), its roster and manifest.
  function showRound(data) {
    const files = data ? data.files : 0;
    $("choose-files-label").textContent = files ? T.add_files : T.choose_files;
    $("choose-folder-label").textContent = files ? T.add_folder : T.choose_folder;
    $("new-round").hidden = !data;
    $("chosen").textContent = files ? fill(T.round_files, { files: files, batches: data.batches }) : "";
    const lists = [];
    if (data && data.roster) lists.push(fill(T.roster_set, { name: data.roster, departments: data.roster_departments }));
    if (data && data.manifest) lists.push(fill(T.manifest_set, { name: data.manifest }));
    $("review-lists").textContent = lists.join("；");
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

  async function ensureRound() {
    if (current) return current.id;
    const created = await api("POST", "/api/round");
    current = { id: created.round };
    try {
      window.localStorage.setItem(ROUND_KEY, created.key);
    } catch (err) {
      // no storage (a private window): the round still works, a reload starts afresh
    }
    return current.id;
  }

  // Files chosen: a new round's first batch, or more files (corrections) for the round shown.
  async function review(input) {
    const files = Array.from(input.files || []).map((file) => ({ file: file, name: file.webkitRelativePath || file.name }));
    input.value = ""; // choosing the same files again adds them again
    if (!files.length) return;
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const mine = ++generation;
    showError("error", "");
    const refused = checkLimits(files);
    if (refused) {
      setProgress("failed", 0, files.length);
      showError("error", refused);
      return;
    }
    try {
      const roundId = await ensureRound();
      const listing = JSON.stringify({ files: files.map((entry) => ({ name: entry.name, size: entry.file.size })) });
      const added = await api("POST", "/api/round/" + roundId + "/files", listing, { "Content-Type": "application/json" });
      await uploadAll(roundId, files, added.first, mine);
      if (mine !== generation) return;
      await startReview(roundId, mine);
    } catch (err) {
      if (mine === generation) {
        setProgress("failed", Number($("progress").dataset.done), files.length);
        showError("error", err.message);
      }
    }
  }

  async function startReview(roundId, mine) {
    await api("POST", "/api/round/" + roundId + "/start");
    await follow(roundId, mine);
  }

  async function uploadAll(roundId, files, first, mine) {
    let next = 0;
    let done = 0;
    setProgress("uploading", 0, files.length);
    async function worker() {
      while (next < files.length && mine === generation) {
        const index = next++;
        await api("POST", "/api/round/" + roundId + "/file/" + (first + index), files[index].file,
          { "Content-Type": "application/octet-stream" });
        done++;
        if (mine === generation) setProgress("uploading", done, files.length);
      }
    }
    const workers = [];
    for (let i = 0; i < UPLOADS_AT_ONCE; i++) workers.push(worker());
    await Promise.all(workers);
  }

  // The roster (or the templates' manifest) for the review: the round is reviewed again with it.
  async function chooseList(kind, input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    $("review-roster-errors").hidden = true;
    showError("review-roster-error", "");
    const mine = ++generation;
    try {
      const roundId = await ensureRound();
      const data = await api("POST", "/api/round/" + roundId + "/list/" + kind, file,
        { "Content-Type": "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) });
      if (data.problems) {
        showProblems($("review-roster-errors"), data.problems);
        return;
      }
      const state = await api("GET", "/api/round/" + roundId + "?rows=no");
      if (mine !== generation) return;
      showRound(state);
      if (state.files) await startReview(roundId, mine);
    } catch (err) {
      if (mine === generation) showError("review-roster-error", err.message);
    }
  }

  async function newRound() {
    if (!window.confirm(T.new_round_confirm)) return;
    ++generation;
    const ending = current;
    current = null;
    try {
      window.localStorage.removeItem(ROUND_KEY);
    } catch (err) {
      // nothing kept
    }
    if (ending) await api("DELETE", "/api/round/" + ending.id).catch(() => {});
    resetReview();
    showRound(null);
    setProgress("idle", 0, 0);
    $("review-roster-errors").hidden = true;
    showError("review-roster-error", "");
  }

  // The page reloaded: the round it kept comes back, with its results (and its review, if running).
  async function resume() {
    let key = null;
    try {
      key = window.localStorage.getItem(ROUND_KEY);
    } catch (err) {
      key = null;
    }
    if (!key) return;
    let data;
    try {
      data = await api("POST", "/api/round/resume", JSON.stringify({ key: key }), { "Content-Type": "application/json" });
    } catch (err) {
      if (err.status === 404) window.localStorage.removeItem(ROUND_KEY);
      return;
    }
    current = { id: data.round };
    const mine = ++generation;
    showRound(data);
    if (data.state === "running") {
      await follow(data.round, mine);
    } else if (data.state === "done") {
      view.rows = data.rows;
      renderResults();
      setProgress("done", data.done, data.total);
      showDone(data);
      showCopies(data);
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function follow(roundId, mine) {
    let since = 0;
    resetReview();
    setProgress("running", 0, 0, "check");
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
      setProgress(data.state, data.done, data.total, data.stage);
      showRound(data);
      if (data.report) showLinks(data);
      if (data.state === "done") {
        showDone(data);
        showCopies(data);
        return;
      }
      if (data.state === "failed" || data.state === "cancelled") {
        showError("error", data.error || T.progress_failed);
        return;
      }
      await sleep(POLL_MS);
    }
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

  function showLinks(data) {
    link("report-link", data.report);
    link("json-link", data.json);
    $("copies-status").hidden = data.state === "done";
    $("downloads").hidden = false;
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
    showLinks(data);
    showDepartments(data);
    const note = data.roster_used ? "" : T.no_roster_note;
    const ledger = data.ledger ? fill(T.ledger_note, { path: data.ledger }) : "";
    $("round-note").textContent = [note, ledger].filter(Boolean).join(" ");
    $("round-note").hidden = !(note || ledger);
  }

  // The departments of the round: what each sent, what is missing, what a newer file replaced.
  function showDepartments(data) {
    const departments = data.departments || [];
    $("departments-box").hidden = !departments.length;
    const counts = {};
    for (const entry of departments) counts[entry.status_label] = (counts[entry.status_label] || 0) + 1;
    const parts = Object.keys(counts).map((label) => label + " " + counts[label]).join(T.list_separator);
    $("department-counts").textContent = data.roster_used
      ? fill(T.department_counts, { count: departments.filter((d) => d.code).length, parts: parts }) : "";
    $("departments").querySelector("tbody").replaceChildren(...departments.map(departmentRow));
  }

  function listCell(className, items) {
    const cell = element("td", className);
    if (items.length) {
      const list = element("ul");
      for (const item of items) list.appendChild(element("li", "", item));
      cell.appendChild(list);
    }
    return cell;
  }

  function departmentRow(entry) {
    const tr = element("tr", "status-" + entry.status);
    tr.dataset.code = entry.code || "";
    tr.dataset.name = entry.name;
    tr.dataset.status = entry.status;
    tr.appendChild(element("td", "code", entry.code || ""));
    tr.appendChild(element("td", "department", entry.name));
    tr.appendChild(element("td", "status", entry.status_label));
    tr.appendChild(listCell("received", entry.documents.map((d) => d.label + "（" + d.file + "）")));
    tr.appendChild(listCell("missing", entry.missing));
    const replaced = entry.replaced.map((d) => d.label + "（" + d.file + "）" + fill(T.replaced_by, { name: d.by }));
    tr.appendChild(listCell("replaced", replaced));
    return tr;
  }

  function showCopies(data) {
    $("copies-status").hidden = true;
    $("copies-link").hidden = true;
    $("no-copies").hidden = true;
    if (data.copies) {
      link("copies-link", data.copies_url);
      $("copies-link").textContent = fill(T.copies_link, { count: data.copies });
    } else {
      $("no-copies").hidden = false;
    }
    const errors = data.annotate_errors || [];
    $("annotate-errors").querySelector("ul").replaceChildren(...errors.map((entry) => {
      const base = entry.name.split("/").pop();
      return element("li", "", entry.message.includes(base) ? entry.message : entry.name + ": " + entry.message);
    }));
    $("annotate-errors").hidden = !errors.length;
  }

  function link(id, url) {
    const anchor = $(id);
    anchor.href = url;
    anchor.setAttribute("download", "");
    anchor.hidden = false;
  }

  // --- templates from a roster ------------------------------------------------------------------

  function showProblems(box, problems) {
    box.querySelector("ol").replaceChildren(...problems.map((problem) => {
      const item = element("li", "problem");
      if (problem.row) {
        item.dataset.row = String(problem.row);
        item.appendChild(element("span", "row", fill(T.row, { row: problem.row })));
      }
      item.appendChild(element("span", "message", problem.message));
      return item;
    }));
    box.hidden = false;
  }

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
        showProblems($("roster-errors"), data.problems);
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
  $("review-roster").addEventListener("change", (event) => chooseList("roster", event.target));
  $("review-manifest").addEventListener("change", (event) => chooseList("manifest", event.target));
  $("new-round").addEventListener("click", () => newRound());
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
  resume();
})();
