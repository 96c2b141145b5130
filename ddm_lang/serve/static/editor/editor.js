// The DDM template editor page: source editing, live checking, the preview grid, the
// canvas (select, drag, resize on any preview), the inspector and the palette, saving.
// Every URL is relative to the page's <base>, so the editor works wherever it is mounted.
// The source text is the single truth: canvas and inspector edits are typed into it as one
// replacement each, so the text area's own undo stack undoes both kinds alike.

import { createEditing } from "./editing.js";
import { makeVocabulary, messageHtml, renderHighlighted } from "./highlight.js";

const CHECK_DELAY_MS = 150;       // pause in typing before the text is checked
const DEFAULT_PRODUCTS = 4;       // products ticked when the page opens
const VIRTUAL_CELL_PX = 150;      // preview height in the whole-catalogue grid
const VIRTUAL_ROW_PX = VIRTUAL_CELL_PX + 64;  // with the row's title, caption and gap
const OVERSCAN_ROWS = 2;          // rows kept rendered beyond the visible ones
const HEAD_START_MS = 120;        // the edited preview's lead over the others
const KEPT_VERSIONS = 3;          // versions whose element layouts stay in memory

const $ = (id) => document.getElementById(id);
const el = {
  templateSelect: $("template-select"), saveName: $("save-name"), save: $("save"),
  status: $("status"), title: $("template-title"), cursor: $("cursor-pos"),
  source: $("source"), highlight: $("highlight"), gutter: $("gutter"),
  problems: $("problem-list"), problemCount: $("problem-count"),
  products: $("product-picker"), formatSelect: $("format-select"),
  grid: $("grid"), timing: $("timing"), staleNote: $("stale-note"),
  selBand: $("sel-band"), productMode: $("product-mode"), palette: $("palette"),
  imageWhere: $("image-where"), paletteComponents: $("palette-components"),
  productFilter: $("product-filter"),
  undo: $("undo"), redo: $("redo"), notice: $("notice"),
};

const state = {
  vocab: makeVocabulary({}),
  client: Math.random().toString(36).slice(2),
  products: [],            // [{id, title, thumbnail}]
  selected: new Set(),     // ticked product ids
  formats: [],             // formats of the last version that compiled
  version: null,           // last version that compiled
  diagnostics: [],         // from the last check
  runtime: new Map(),      // "product|format" → problem of a preview that did not compile
  checkSeq: 0,
  refreshSeq: 0,
  checkTimer: 0,
  editedAt: performance.now(),
  savedSource: "",
  loadedName: "",
  layouts: new Map(),      // "version|product|format" → where each element was drawn
  sel: null,               // {start, name, kind}: the selected element, by its source
  active: null,            // {product, format}: the preview it was picked in
  onlyFormat: false,       // edits apply to the active format only (an override)
  mode: "ticked",          // ticked products, or the whole catalogue (virtual rows)
  pendingSelect: null,     // name of an element just inserted, selected once drawn
  applying: false,         // the page is typing a server edit into the text area
  window: [0, 0],          // the whole-catalogue grid's rendered rows
};

// Read by the end-to-end test and shown under the grid: edit → first and last preview loaded.
window.ddmEditor = { state, lastRefresh: null, checks: 0, edits: 0 };

async function api(path, options = {}) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  return { status: response.status, ok: response.ok, body };
}

// Sent with every change: the server refuses POSTs without the token of the page it served.
const TOKEN = document.querySelector('meta[name="ddm-editor-token"]').content;

function postJson(path, data) {
  return api(path, { method: "POST", body: JSON.stringify(data),
                     headers: { "Content-Type": "application/json", "X-DDM-Editor-Token": TOKEN } });
}

function setStatus(text, kind = "") {
  el.status.textContent = text;
  el.status.className = "status" + (kind ? " " + kind : "");
}

// ---- the code editor ---------------------------------------------------------------

function inlineDiagnostics() {
  const own = state.diagnostics.filter((d) => d.file === "<template>");
  const runtime = [...state.runtime.values()].flatMap((p) => p.diagnostics)
    .filter((d) => d.file === "<template>")
    .map((d) => ({ ...d, severity: "warning" }));
  return dedupe([...own, ...runtime]);
}

function dedupe(diagnostics) {
  const seen = new Set();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function paintSource() {
  const text = el.source.value;
  const diagnostics = inlineDiagnostics();
  el.highlight.innerHTML = renderHighlighted(text, state.vocab, diagnostics);
  const lineCount = text.split("\n").length;
  const byLine = new Map();
  for (const d of diagnostics) {
    if (!byLine.has(d.line)) byLine.set(d.line, []);
    byLine.get(d.line).push(d);
  }
  const rows = [];
  for (let n = 1; n <= lineCount; n++) {
    const notes = byLine.get(n);
    if (notes) {
      const sev = notes.some((d) => d.severity === "error") ? "error" : "warning";
      const title = notes.map((d) => `${d.code}: ${d.message}`).join("\n").replace(/"/g, "&quot;");
      rows.push(`<div class="ln marked sev-${sev}" data-line="${n}" title="${title}">${n}</div>`);
    } else {
      rows.push(`<div class="ln" data-line="${n}">${n}</div>`);
    }
  }
  rows.push('<div class="ln spacer">&nbsp;</div><div class="ln spacer">&nbsp;</div>');
  el.gutter.innerHTML = rows.join("");
  syncScroll();
}

function syncScroll() {
  el.highlight.scrollTop = el.source.scrollTop;
  el.highlight.scrollLeft = el.source.scrollLeft;
  el.gutter.scrollTop = el.source.scrollTop;
  if (state.sel) editing.paintBand();
}

function showCursor() {
  const before = el.source.value.slice(0, el.source.selectionStart);
  const line = before.split("\n").length;
  const col = before.length - before.lastIndexOf("\n");
  el.cursor.textContent = `Ln ${line}, Col ${col}`;
}

function jumpTo(line, col) {
  const lines = el.source.value.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  offset += Math.max(0, col - 1);
  el.source.focus();
  el.source.setSelectionRange(offset, offset);
  revealLine(line);
  showCursor();
}

function lineHeight() {
  return parseFloat(getComputedStyle(el.source).lineHeight) || 20;
}

/** Scroll the source so a line shows (without moving the cursor or the focus). */
function revealLine(line) {
  const top = (line - 1) * lineHeight();
  if (top < el.source.scrollTop || top > el.source.scrollTop + el.source.clientHeight - 2 * lineHeight()) {
    el.source.scrollTop = Math.max(0, top - el.source.clientHeight / 3);
  }
  syncScroll();
}

function onKeyDown(event) {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    save();
  } else if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
    event.preventDefault();  // two spaces, the templates' indent; the undo stack keeps it
    document.execCommand("insertText", false, "  ");
  }
}

function onInput() {
  if (state.applying) return;  // an edit the page typed: it paints and checks it itself
  state.editedAt = performance.now();
  paintSource();
  showCursor();
  updateDirty();
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(check, CHECK_DELAY_MS);
}

function updateDirty() {
  const dirty = el.source.value !== state.savedSource;
  el.save.classList.toggle("dirty", dirty);
  document.title = (dirty ? "• " : "") + "DDM template editor";
}

// ---- problems ------------------------------------------------------------------------

function renderProblems() {
  const items = [];
  const add = (d, where) => items.push({ d, where });
  state.diagnostics.forEach((d) => add(d, ""));
  // One entry per place in the text, however many creatives fail there.
  const groups = new Map();
  for (const [key, problem] of state.runtime) {
    const [product, format] = key.split("|");
    const found = problem.diagnostics.length ? problem.diagnostics
      : [{ code: "preview", message: problem.message, line: 0, col: 0, file: "" }];
    for (const d of found) {
      const at = `${d.file}:${d.line}:${d.col}:${d.code}` + (d.line ? "" : d.message);
      if (!groups.has(at)) groups.set(at, { d: { ...d, severity: "warning" }, cells: [] });
      groups.get(at).cells.push(`${product} · ${format}`);
    }
  }
  for (const { d, cells } of groups.values()) {
    add(d, cells.length === 1 ? cells[0] : `${cells[0]} and ${cells.length - 1} more creatives`);
  }
  el.problems.innerHTML = "";
  for (const { d, where } of items) {
    const li = document.createElement("li");
    li.className = `problem sev-${d.severity}`;
    const pos = d.line ? `${d.file === "<template>" ? "" : d.file + ":"}${d.line}:${d.col}` : "";
    li.innerHTML = `<span class="icon"></span><span class="pos"></span>`
      + `<span class="msg"></span><span class="code-tag"></span>`;
    li.querySelector(".pos").textContent = pos;
    li.querySelector(".msg").innerHTML = messageHtml(d.message)
      + (d.hint ? ` <span class="hint">${messageHtml(d.hint)}</span>` : "")
      + (where ? ` <span class="where">${messageHtml(where)}</span>` : "");
    li.querySelector(".code-tag").textContent = d.code;
    if (d.rendered) li.title = d.rendered;
    if (d.line && d.file === "<template>") {
      li.dataset.line = d.line;
      li.addEventListener("click", () => jumpTo(d.line, d.col));
    }
    el.problems.appendChild(li);
  }
  const errors = state.diagnostics.length;
  el.problemCount.textContent = String(items.length);
  el.problemCount.className = "badge " + (errors ? "error" : items.length ? "warning" : "ok");
  if (!items.length) {
    el.problems.innerHTML = '<li class="empty">No problems.</li>';
  }
}

// ---- checking --------------------------------------------------------------------------

async function check() {
  clearTimeout(state.checkTimer);
  const seq = ++state.checkSeq;
  const source = el.source.value;
  const started = performance.now();
  const { status, body } = await postJson("api/check", { source, client: state.client });
  if (seq !== state.checkSeq) return;  // a newer check is under way
  if (!body || status >= 400) {
    setStatus(body && body.error ? body.error : `check failed (HTTP ${status})`, "error");
    return;
  }
  showCheck(body, started);
}

/** What a check of the text found: problems, or a new version to preview. */
function showCheck(body, started) {
  window.ddmEditor.checks++;
  state.diagnostics = body.diagnostics;
  const ms = Math.round(performance.now() - started);
  if (body.ok) {
    el.title.textContent = `${body.name}${body.title ? " — " + body.title : ""}`;
    setStatus(`Checked in ${ms} ms · ${body.formats.length} formats`, "ok");
    const formatsChanged = body.formats.map((f) => f.name).join() !== state.formats.map((f) => f.name).join();
    state.formats = body.formats;
    if (formatsChanged) renderFormatOptions();
    editing.renderPalette(body.components);
    if (body.version !== state.version) {
      state.version = body.version;
      state.runtime.clear();
    }
    el.grid.classList.remove("stale");
    el.staleNote.hidden = true;
    refreshGrid(true);
    setTimeout(() => { paintSource(); renderProblems(); }, 0);  // after the requests are out
    return;
  } else {
    const n = body.diagnostics.length;
    setStatus(`${n} problem${n === 1 ? "" : "s"}`, "error");
    el.grid.classList.toggle("stale", state.version !== null);
    el.staleNote.hidden = state.version === null;
    inspector.refresh();  // (else it follows the active preview, once that is drawn)
  }
  paintSource();
  renderProblems();
}

// ---- products and formats ----------------------------------------------------------------

function renderProductPicker() {
  el.products.innerHTML = "";
  for (const p of state.products) {
    const label = document.createElement("label");
    label.className = "product-chip";
    label.title = `${p.title}\n${p.id}`;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = p.id;
    box.checked = state.selected.has(p.id);
    box.addEventListener("change", () => {
      if (box.checked) state.selected.add(p.id); else state.selected.delete(p.id);
      label.classList.toggle("on", box.checked);
      state.editedAt = performance.now();
      refreshGrid();
    });
    const img = document.createElement("img");
    img.src = p.thumbnail;
    img.alt = "";
    img.loading = "lazy";
    const name = document.createElement("span");
    name.textContent = p.title;
    label.classList.toggle("on", box.checked);
    label.append(box, img, name);
    el.products.appendChild(label);
  }
}

function renderFormatOptions() {
  const current = el.formatSelect.value;
  el.formatSelect.innerHTML = '<option value="">All formats</option>';
  for (const f of state.formats) {
    const option = document.createElement("option");
    option.value = f.name;
    option.textContent = `${f.name} ${f.width}×${f.height}`;
    el.formatSelect.appendChild(option);
  }
  el.formatSelect.value = state.formats.some((f) => f.name === current) ? current : "";
}

// ---- the preview grid ------------------------------------------------------------------------

function query(params) {
  return new URLSearchParams(params).toString();
}

function shownFormats() {
  const one = el.formatSelect.value;
  return one ? state.formats.filter((f) => f.name === one) : state.formats;
}

function shownProducts() {
  return state.mode === "all" ? state.products : state.products.filter((p) => state.selected.has(p.id));
}

/** Rows of products × cells of formats; cells are reused so a refresh swaps images in place.
 * The whole catalogue is drawn as virtual rows: only those near the viewport exist. */
function refreshGrid(afterEdit = false) {
  if (!state.version) return;
  const version = state.version;
  const formats = shownFormats();
  const all = shownProducts();
  const virtual = state.mode === "all";
  el.grid.classList.toggle("single", formats.length === 1 && !virtual);
  el.grid.classList.toggle("virtual", virtual);
  let products = all;
  let spacer = el.grid.querySelector(".virtual-spacer");
  if (virtual) {
    if (!spacer) {
      spacer = document.createElement("div");
      spacer.className = "virtual-spacer";
      el.grid.prepend(spacer);
    }
    spacer.style.height = `${all.length * VIRTUAL_ROW_PX}px`;
    const first = Math.max(0, Math.floor(el.grid.scrollTop / VIRTUAL_ROW_PX) - OVERSCAN_ROWS);
    const count = Math.ceil(el.grid.clientHeight / VIRTUAL_ROW_PX) + 2 * OVERSCAN_ROWS;
    state.window = [first, Math.min(all.length, first + count)];
    products = all.slice(state.window[0], state.window[1]);
  } else if (spacer) {
    spacer.remove();
  }
  showProducts(products);
  const wanted = new Set();
  let pending = 1;  // released after the loop: cells already loaded finish at once
  const total = products.length * formats.length;
  const startedAt = state.editedAt;
  const token = ++state.refreshSeq;
  let first = null;
  const finishOne = (loaded) => {
    pending--;
    if (loaded && first === null && token === state.refreshSeq) first = performance.now() - startedAt;
    if (pending === 0 && token === state.refreshSeq) {
      const ms = performance.now() - startedAt;
      window.ddmEditor.lastRefresh = { ms, first: first ?? ms, count: total, version };
      const previews = `${total} preview${total === 1 ? "" : "s"}`;
      const range = virtual ? ` (products ${state.window[0] + 1}–${state.window[1]} of ${all.length})` : "";
      el.timing.textContent = afterEdit
        ? `${previews}${range} up to date: first ${Math.round(first ?? ms)} ms, all ${(ms / 1000).toFixed(2)} s after the last edit`
        : previews + range;
      renderProblems();
      paintSource();
    }
  };
  const jobs = [];
  products.forEach((product, i) => {
    const row = rowFor(product);
    if (virtual) row.style.top = `${(state.window[0] + i) * VIRTUAL_ROW_PX}px`;
    wanted.add(row);
    const cells = row.querySelector(".cells");
    const keep = new Set();
    for (const fmt of formats) {
      const cell = cellFor(cells, product, fmt);
      keep.add(cell);
      cells.appendChild(cell);  // keeps the format order
      pending++;
      jobs.push([cell, product, fmt]);
    }
    for (const cell of [...cells.children]) if (!keep.has(cell)) cancelCell(cell), cell.remove();
    el.grid.appendChild(row);
  });
  // The preview being edited first: its refresh is the one the author is looking at.
  // After an edit it starts alone for a moment: two cores render it faster unshared.
  const active = state.active;
  const head = afterEdit ? jobs.find(([cell]) => isActive(cell, active)) : null;
  const rest = jobs.filter((job) => job !== head);
  let started = false;
  const startRest = () => {
    if (started) return;
    started = true;
    for (const [cell, product, fmt] of rest) loadCell(cell, product, fmt, version, finishOne);
  };
  if (head) {
    loadCell(head[0], head[1], head[2], version, (loaded) => { finishOne(loaded); startRest(); });
    setTimeout(startRest, HEAD_START_MS);
  } else {
    startRest();
  }
  for (const row of [...el.grid.querySelectorAll(".product-row")]) {
    if (!wanted.has(row)) {
      row.querySelectorAll(".cell").forEach(cancelCell);
      row.remove();
    }
  }
  el.timing.textContent = total ? `Rendering ${total} previews…` : "Tick a product to preview it.";
  if (total) finishOne(false);
}

function isActive(cell, active) {
  return Boolean(active) && cell.dataset.product === active.product && cell.dataset.format === active.format;
}

let shownTimer = 0;
/** Tell the server which products the grid shows: renders of others not yet started are dropped. */
function showProducts(products) {
  clearTimeout(shownTimer);
  const ids = products.map((p) => p.id);
  shownTimer = setTimeout(() => postJson("api/show", { client: state.client, products: ids }), 0);
}

/** Stop loading a cell's preview (it scrolled away or its version was replaced). */
function cancelCell(cell) {
  const loader = cell._loader;
  if (loader) {
    loader.onload = loader.onerror = null;
    loader.src = "";  // the browser drops the request
    cell._loader = null;
  }
}

let scrollFrame = 0;
function onGridScroll() {
  if (state.mode !== "all" || scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    const first = Math.max(0, Math.floor(el.grid.scrollTop / VIRTUAL_ROW_PX) - OVERSCAN_ROWS);
    if (first !== state.window[0]) refreshGrid();
    else canvas.paint();
  });
}

function rowFor(product) {
  let row = [...el.grid.querySelectorAll(".product-row")].find((r) => r.dataset.product === product.id);
  if (row) return row;
  row = document.createElement("div");
  row.className = "product-row";
  row.dataset.product = product.id;
  const head = document.createElement("div");
  head.className = "row-head";
  head.textContent = product.title;
  head.title = product.id;
  const cells = document.createElement("div");
  cells.className = "cells";
  row.append(head, cells);
  return row;
}

function cellFor(cells, product, fmt) {
  let cell = [...cells.children].find((c) => c.dataset.format === fmt.name);
  if (!cell) {
    cell = document.createElement("figure");
    cell.className = "cell loading";
    cell.dataset.format = fmt.name;
    cell.dataset.product = product.id;
    cell.innerHTML = '<div class="frame"><img class="preview" alt=""><div class="cell-error"></div>'
      + '<div class="spinner"></div></div><figcaption><span class="fmt"></span>'
      + '<span class="links"><a class="png" download>PNG</a><a class="jpg" download>JPG</a></span>'
      + "</figcaption>";
  }
  cell.querySelector(".fmt").innerHTML = `<b></b> <span></span>`;
  cell.querySelector(".fmt b").textContent = fmt.name;
  cell.querySelector(".fmt span").textContent = `${fmt.width}×${fmt.height}`;
  const frame = cell.querySelector(".frame");
  frame.style.aspectRatio = `${fmt.width} / ${fmt.height}`;
  cell.style.setProperty("--aspect", String(fmt.width / fmt.height));
  return cell;
}

function loadCell(cell, product, fmt, version, done) {
  const params = { v: version, product: product.id, format: fmt.name };
  const url = "api/preview?" + query({ ...params, client: state.client });
  const img = cell.querySelector("img.preview");
  cell.querySelector("a.png").href = "api/download?" + query({ ...params, type: "png" });
  cell.querySelector("a.jpg").href = "api/download?" + query({ ...params, type: "jpg" });
  const key = `${product.id}|${fmt.name}`;
  if (cell.dataset.src === url && img.complete && img.naturalWidth > 0) { done(false); return; }
  cancelCell(cell);
  cell.dataset.src = url;
  cell.classList.add("loading");
  const loader = new Image();
  cell._loader = loader;
  loader.onload = () => {
    cell._loader = null;
    if (cell.dataset.src !== url) return done(false);
    img.src = url;  // from the browser's cache: previews are immutable
    img.alt = `${product.title}, ${fmt.name}`;
    cell.classList.remove("loading", "failed");
    state.runtime.delete(key);
    loadLayout(cell, params);
    done(true);
  };
  loader.onerror = async () => {
    cell._loader = null;
    const { status, body } = await api(url);
    if (cell.dataset.src !== url) return done(false);
    cell.classList.remove("loading");
    if (status === 410 && version === state.version) {
      cell.dataset.src = "";
      done(false);
      if (body && /scrolled away/.test(body.error || "")) return;  // asked again when shown
      check();  // the server let this version go: check the text again
      return;
    }
    cell.classList.add("failed");
    const first = body && body.diagnostics && body.diagnostics[0];
    const message = (body && (body.message || body.error)) || `HTTP ${status}`;
    const box = cell.querySelector(".cell-error");
    box.innerHTML = `<b></b>${first ? messageHtml(first.message) : ""}`;
    box.querySelector("b").textContent = message;
    if (status === 422 && body) state.runtime.set(key, body);
    done(false);
  };
  loader.src = url;
}

/** Where each element of a loaded preview was drawn (the same render: already cached). */
async function loadLayout(cell, params) {
  const key = `${params.v}|${params.product}|${params.format}`;
  if (!state.layouts.has(key)) {
    const { ok, body } = await api("api/layout?" + query({ ...params, client: state.client }));
    if (!ok || !body) return;
    state.layouts.set(key, body);
    forgetOldLayouts();
  }
  if (cell.dataset.src && !cell.dataset.src.includes(`v=${params.v}`)) return;  // replaced
  cell.dataset.layout = key;
  editing.reconcileSelection(cell);
  canvas.paint();
  if (isActive(cell, state.active)) inspector.refresh();
}

function forgetOldLayouts() {
  const versions = [...new Set([...state.layouts.keys()].map((k) => k.split("|")[0]))];
  for (const old of versions.slice(0, Math.max(0, versions.length - KEPT_VERSIONS))) {
    for (const k of [...state.layouts.keys()]) if (k.startsWith(old + "|")) state.layouts.delete(k);
  }
}

// ---- selection, canvas edits, the inspector (editing.js) ----------------------------------

const editing = createEditing({ state, el, api, postJson, setStatus, syncScroll, updateDirty,
                                showCheck, check, isActive, lineHeight, revealLine });
const { canvas, inspector } = editing;

// ---- templates and saving ----------------------------------------------------------------------

async function openTemplate(name) {
  const { ok, body } = await api("api/templates/" + encodeURIComponent(name));
  if (!ok) { setStatus(body ? body.error : "cannot open template", "error"); return; }
  state.loadedName = name;
  state.savedSource = body.source;
  state.sel = null;
  state.pendingSelect = null;
  editing.paintBand();
  el.source.value = body.source;
  el.saveName.value = name;
  el.templateSelect.value = name;
  el.source.scrollTop = 0;
  state.editedAt = performance.now();
  paintSource();
  updateDirty();
  await check();
}

async function save() {
  const name = el.saveName.value.trim();
  const source = el.source.value;
  el.save.disabled = true;
  setStatus("Saving…");
  try {
    const { ok, status, body } = await postJson("api/save", { name, source });
    if (ok && body.ok) {
      state.savedSource = source;
      updateDirty();
      setStatus(body.message, "ok");
      if (![...el.templateSelect.options].some((o) => o.value === name)) await loadTemplateList(name);
    } else if (body && body.diagnostics && body.diagnostics.length) {
      state.diagnostics = body.diagnostics;
      paintSource();
      renderProblems();
      setStatus(body.message, "error");
    } else {
      setStatus(body && (body.error || body.message) || `save failed (HTTP ${status})`, "error");
    }
  } finally {
    el.save.disabled = false;
  }
}

async function loadTemplateList(select) {
  const { body } = await api("api/templates");
  el.templateSelect.innerHTML = "";
  for (const t of body.templates) {
    const option = document.createElement("option");
    option.value = t.name;
    option.textContent = t.title ? `${t.name} — ${t.title}` : t.name;
    el.templateSelect.appendChild(option);
  }
  if (select) el.templateSelect.value = select;
  return body.templates;
}

async function start() {
  const [language, templates, products] = await Promise.all([
    api("api/language"), loadTemplateList(), api("api/products")]);
  state.vocab = makeVocabulary(language.body || {});
  state.products = products.body.products;
  state.products.slice(0, DEFAULT_PRODUCTS).forEach((p) => state.selected.add(p.id));
  renderProductPicker();

  el.source.addEventListener("input", onInput);
  el.source.addEventListener("scroll", syncScroll);
  el.source.addEventListener("keydown", onKeyDown);
  for (const type of ["keyup", "click", "select"]) el.source.addEventListener(type, showCursor);
  el.source.addEventListener("click", editing.selectFromCursor);
  el.source.addEventListener("keyup", (event) => { if (event.key.startsWith("Arrow") || event.key.startsWith("Page")) editing.selectFromCursor(); });
  el.grid.addEventListener("scroll", onGridScroll, { passive: true });
  window.addEventListener("resize", () => canvas.paint());
  document.addEventListener("keydown", editing.onPageKey);
  el.palette.addEventListener("click", editing.onPalette);
  el.undo.addEventListener("click", () => editing.undo(false));
  el.redo.addEventListener("click", () => editing.undo(true));
  el.productFilter.addEventListener("input", () => {
    const words = el.productFilter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const chip of el.products.children) {
      const text = chip.title.toLowerCase();
      chip.hidden = !words.every((w) => text.includes(w));
    }
  });
  el.productMode.addEventListener("change", () => {
    state.mode = el.productMode.value;
    el.products.classList.toggle("disabled", state.mode === "all");
    el.grid.scrollTop = 0;
    state.editedAt = performance.now();
    refreshGrid();
  });
  inspector.refresh();
  el.save.addEventListener("click", save);
  el.formatSelect.addEventListener("change", () => { state.editedAt = performance.now(); refreshGrid(); });
  el.templateSelect.addEventListener("change", () => {
    const name = el.templateSelect.value;
    if (el.source.value !== state.savedSource
        && !confirm("Discard the unsaved changes to this template?")) {
      el.templateSelect.value = state.loadedName;
      return;
    }
    openTemplate(name);
  });
  window.addEventListener("beforeunload", (event) => {
    if (el.source.value !== state.savedSource) event.preventDefault();
  });

  const wanted = new URLSearchParams(location.search).get("template");
  const first = templates.find((t) => t.name === wanted) || templates[0];
  if (first) await openTemplate(first.name);
  else setStatus("No templates in the template directory yet: write one and save it.");
  document.body.classList.add("ready");
}

start().catch((err) => setStatus(`The editor could not start: ${err}`, "error"));
