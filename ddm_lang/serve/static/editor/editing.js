// Selection and canvas edits: what the author selects (on a preview or in the source), the
// edits a drag, the inspector or the palette asks the server for, typed into the source as
// one undoable replacement each, and the keys that work on the canvas.

import { createCanvas, targetBox } from "./canvas.js";
import { createInspector } from "./inspector.js";

const FIXED = { point: "a text placed at a point (x, y)", drawn: "drawn by its own SVG geometry" };

/** `page`: the editor page's state, elements and the functions this needs of it (api,
 * postJson, setStatus, syncScroll, updateDirty, showCheck, check, isActive, lineHeight,
 * revealLine). */
export function createEditing(page) {
  const { state, el, api, postJson, setStatus, syncScroll, updateDirty, showCheck, check,
          isActive, lineHeight, revealLine } = page;

  function cells() {
    return [...el.grid.querySelectorAll(".cell")];
  }

  function layoutOf(cell) {
    return cell ? state.layouts.get(cell.dataset.layout) || null : null;
  }

  function activeCell() {
    const a = state.active;
    return a ? cells().find((c) => c.dataset.product === a.product && c.dataset.format === a.format) || null : null;
  }

  /** The selected element as drawn in the active preview (or any preview that drew it). */
  function selectedElement() {
    if (!state.sel) return null;
    const find = (layout) => layout && layout.elements.find((e) => e.span && e.span.start === state.sel.start);
    const here = find(layoutOf(activeCell()));
    if (here) return here;
    for (const cell of cells()) {
      const found = find(layoutOf(cell));
      if (found) return found;
    }
    return null;
  }

  function select(element, cell, fromSource = false) {
    if (cell) state.active = { product: cell.dataset.product, format: cell.dataset.format };
    state.sel = element ? { start: element.span.start, name: element.name, kind: element.kind } : null;
    if (!fromSource && element) revealLine(element.span.line);
    paintBand();
    canvas.paint();
    inspector.refresh();
    cells().forEach((c) => c.classList.toggle("active", c === activeCell()));
  }

  /** After the text changed, find the selection again: the same place, else the same name. */
  function reconcileSelection(cell) {
    const layout = layoutOf(cell);
    if (!layout) return;
    if (state.pendingSelect) {
      const added = layout.elements.find((e) => e.name === state.pendingSelect && e.span);
      if (added) {
        state.pendingSelect = null;
        select(added, cell);
      }
      return;
    }
    const sel = state.sel;
    if (!sel || !isActive(cell, state.active)) return;  // other formats may draw another branch
    if (layout.elements.some((e) => e.span && e.span.start === sel.start)) return;
    const moved = sel.name && layout.elements.find((e) => e.name === sel.name && e.kind === sel.kind && e.span);
    if (moved) sel.start = moved.span.start;
  }

  function paintBand() {
    const e = selectedElement();
    if (!e || !e.span || e.span.file !== "<template>") { el.selBand.hidden = true; return; }
    el.selBand.hidden = false;
    el.selBand.style.top = `${10 + (e.span.line - 1) * lineHeight() - el.source.scrollTop}px`;
    el.selBand.style.height = `${(e.span.end_line - e.span.line + 1) * lineHeight()}px`;
  }

  /** The element the cursor is in, selected in the previews. */
  function selectFromCursor() {
    const offset = el.source.selectionStart;
    let best = null;
    for (const cell of cells()) {
      const layout = layoutOf(cell);
      if (!layout) continue;
      for (const e of layout.elements) {
        const s = e.span;
        if (!s || s.start16 === undefined || offset < s.start16 || offset > s.end16) continue;
        if (!best || s.end16 - s.start16 < best.span.end16 - best.span.start16) best = e;
      }
    }
    if (best && (!state.sel || state.sel.start !== best.span.start)) select(best, null, true);
  }

  /** Type a server edit into the text area: one step on its undo stack. `since` is when the
   * author made the change (the refresh is timed from it); `checked` is the server's check of
   * the edited text, sent with the edit to save a round trip. */
  function applyEdit(edit, since, checked) {
    const ta = el.source;
    const focused = document.activeElement;
    const scroll = ta.scrollTop;
    ta.focus({ preventScroll: true });
    ta.setSelectionRange(edit.start16, edit.end16);
    state.applying = true;
    try {
      document.execCommand(edit.text ? "insertText" : "delete", false, edit.text);
    } finally {
      state.applying = false;
    }
    updateDirty();
    ta.scrollTop = scroll;
    syncScroll();
    if (focused !== ta) {  // the canvas or the inspector keeps the keyboard
      ta.blur();
      if (focused && focused !== document.body && focused.isConnected) focused.focus({ preventScroll: true });
    }
    window.ddmEditor.edits++;
    state.editedAt = since;
    clearTimeout(state.checkTimer);  // typed by the page: checked already
    ++state.checkSeq;
    if (checked) showCheck(checked, since);
    else check();
  }

  let queue = Promise.resolve();  // edits run one at a time, each on the text the last left

  /** Ask the server for an edit of the current text and type it in. Edits are queued: two
   * asked at once (Enter, then the field's change) must not both apply to the same text. */
  function edit(request, options = {}) {
    const since = performance.now();
    const run = queue.then(() => sendEdit(request, options, since));
    queue = run.catch(() => false);
    return run;
  }

  async function sendEdit(request, options, since) {
    const source = el.source.value;
    const body = { ...request, source, client: state.client };
    if (state.onlyFormat && state.active && !options.noFormat && body.only_format === undefined) {
      body.only_format = state.active.format;
    }
    const { ok, body: answer, status } = await postJson("api/edit", body);
    if (!ok || !answer || !answer.ok) {
      setStatus((answer && (answer.error || answer.message)) || `edit refused (HTTP ${status})`, "error");
      canvas.paint();
      return false;
    }
    if (el.source.value !== source) {  // typed over meanwhile: the edit is of another text
      setStatus("The text changed while the edit was made: make it again.", "error");
      canvas.paint();
      return false;
    }
    hideNotice();
    if (answer.name) state.pendingSelect = answer.name;
    if (answer.edit.start16 !== answer.edit.end16 || answer.edit.text) applyEdit(answer.edit, since, answer.check);
    return true;
  }

  /** The edit that puts `element` at `box` (canvas px), for `cell`'s format only when asked. */
  function boxRequest(element, box, cell) {
    return { op: "box", element: element.span.start, value: element.value ? element.value.start : null,
             box, frame: element.frame, only_format: state.onlyFormat ? cell.dataset.format : null };
  }

  function commitBox(element, box, cell) {
    if (FIXED[element.form]) {
      setStatus(`This element is ${FIXED[element.form]}: edit it in the source.`, "error");
      canvas.paint();
      return;
    }
    const request = boxRequest(element, box, cell);
    const label = `${element.kind}${element.name ? " " + element.name : ""}`;
    if (element.form === "slot" && request.only_format) {
      askToDetach(`${label} is placed in a slot, which is the same in every format. Detach it into `
        + `a box of its own (placed as before) and move it in ${request.only_format} only?`, request);
    } else if (element.flow || element.form === "anchored" || element.form === "computed") {
      const why = element.flow ? `flows ${element.flow}` : `has an ${element.form} box`;
      askToDetach(`${label} ${why}. Detach it to place it where you dropped it?`, request);
    } else {
      edit(request);
    }
  }

  function askToDetach(question, request) {
    showNotice(question, [
      { label: "Detach and place", primary: true, run: () => edit({ ...request, detach: true }) },
      { label: "Cancel", run: () => { hideNotice(); canvas.paint(); } },
    ]);
  }

  /** Detach the selected element from its flow, slot or anchored box, where it is drawn now. */
  function detach() {
    const element = selectedElement();
    const cell = activeCell();
    if (element && cell) edit({ ...boxRequest(element, targetBox(element), cell), detach: true });
  }

  function showNotice(text, actions) {
    el.notice.hidden = false;
    el.notice.querySelector(".notice-text").textContent = text;
    const box = el.notice.querySelector(".notice-actions");
    box.innerHTML = "";
    for (const a of actions) {
      const button = document.createElement("button");
      button.className = a.primary ? "primary small" : "small";
      button.textContent = a.label;
      button.addEventListener("click", a.run);
      box.appendChild(button);
    }
  }

  function hideNotice() { el.notice.hidden = true; }

  function undo(redo = false) {
    el.source.focus({ preventScroll: true });
    document.execCommand(redo ? "redo" : "undo");
  }

  function onPageKey(event) {
    const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(event.target.tagName);
    if (typing) return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && (event.key === "z" || event.key === "Z")) {
      event.preventDefault();
      undo(event.shiftKey);
    } else if (mod && event.key === "y") {
      event.preventDefault();
      undo(true);
    } else if (event.key === "Escape") {
      select(null, null);
    } else if ((event.key === "Delete" || event.key === "Backspace") && state.sel) {
      event.preventDefault();
      const start = state.sel.start;
      select(null, null);
      edit({ op: "delete", element: start }, { noFormat: true });
    } else if (canvas.nudge(event)) {
      event.preventDefault();
    }
  }

  function renderPalette(components) {
    el.paletteComponents.innerHTML = "";
    for (const name of components || []) {
      const button = document.createElement("button");
      button.className = "tool";
      button.dataset.insert = name;
      button.textContent = name;
      button.title = `An instance of the template's component ${name}`;
      el.paletteComponents.appendChild(button);
    }
  }

  function onPalette(event) {
    const kind = event.target.dataset && event.target.dataset.insert;
    if (!kind) return;
    const request = { op: "insert", kind };
    if (kind === "image") request.where = el.imageWhere.value.trim();
    edit(request, { noFormat: true });
  }

  const ctx = {
    api, postJson, edit, detach, revealLine, layoutOf, activeCell, selectedElement, cells, select,
    commitBox,
    selection: () => state.sel,
    source: () => el.source.value,
    version: () => state.version,
    activeFormat: () => (state.active ? state.active.format : null),
    activeProduct: () => (state.active ? state.active.product : null),
    onlyFormat: () => state.onlyFormat,
    setOnlyFormat: (on) => { state.onlyFormat = on; },
  };
  const canvas = createCanvas(ctx);
  const inspector = createInspector(ctx);
  return { canvas, inspector, cells, layoutOf, select, reconcileSelection, paintBand,
           selectFromCursor, onPageKey, onPalette, renderPalette, undo };
}
