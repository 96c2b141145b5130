// The canvas over the previews: select an element by clicking any preview, see it outlined
// in every preview (each format draws it in its own place), drag and resize it with
// snapping to the canvas centre lines, the safe margins and the other elements' edges.
// Nothing here changes the template: a finished drag is handed to `ctx.commitBox`, which
// asks the server for the source edit.

const SNAP_PX = 6;        // screen pixels within which an edge snaps to a line
const DRAG_START_PX = 3;  // movement before a press becomes a drag
const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/** The rectangle the preview image is drawn in, relative to its frame, and its scale. */
export function viewOf(cell, layout) {
  const frame = cell.querySelector(".frame");
  const img = cell.querySelector("img.preview");
  if (!frame || !img || !layout) return null;
  const f = frame.getBoundingClientRect();
  const r = img.getBoundingClientRect();
  if (!r.width || !r.height) return null;
  const scale = Math.min(r.width / layout.width, r.height / layout.height);
  return {
    scale,
    left: r.left - f.left + (r.width - layout.width * scale) / 2,
    top: r.top - f.top + (r.height - layout.height * scale) / 2,
    frame,
  };
}

/** The box a drag moves: an image placed in a slot moves its slot. */
export function targetBox(element) {
  return element.form === "slot" && element.slot ? element.slot : element.box;
}

/** Elements a click can select: the template's own, a component's parts through it. */
function selectable(layout) {
  return layout.elements.filter((e) => !e.inside && e.span && e.box[2] > 0 && e.box[3] > 0);
}

/** The element under a canvas point: the smallest box holding it, the top-most of equals. */
export function hitTest(layout, x, y) {
  let best = null;
  let bestArea = Infinity;
  for (const e of selectable(layout)) {
    const [bx, by, bw, bh] = targetBox(e);
    if (x < bx || y < by || x > bx + bw || y > by + bh) continue;
    const area = bw * bh;
    if (area <= bestArea) { best = e; bestArea = area; }
  }
  return best;
}

/** Lines a moving edge snaps to: canvas edges and centre, safe margins, other elements. */
function snapLines(layout, moving) {
  const { width: W, height: H, safe_margin: m } = layout;
  const xs = [{ v: 0, kind: "edge" }, { v: W, kind: "edge" }, { v: W / 2, kind: "centre" },
    { v: m, kind: "margin" }, { v: W - m, kind: "margin" }];
  const ys = [{ v: 0, kind: "edge" }, { v: H, kind: "edge" }, { v: H / 2, kind: "centre" },
    { v: m, kind: "margin" }, { v: H - m, kind: "margin" }];
  for (const e of selectable(layout)) {
    if (e.span.start === moving.span.start) continue;
    const [x, y, w, h] = targetBox(e);
    if (w >= W && h >= H) continue;  // a background's edges are the canvas's
    xs.push({ v: x, kind: "element" }, { v: x + w, kind: "element" }, { v: x + w / 2, kind: "element" });
    ys.push({ v: y, kind: "element" }, { v: y + h, kind: "element" }, { v: y + h / 2, kind: "element" });
  }
  return { xs, ys };
}

/** The nearest line to any of `edges` within `limit`: {shift, line} or null. */
function nearest(edges, lines, limit) {
  let best = null;
  for (const edge of edges) {
    for (const line of lines) {
      const d = line.v - edge;
      if (Math.abs(d) <= limit && (!best || Math.abs(d) < Math.abs(best.shift))) {
        best = { shift: d, line };
      }
    }
  }
  return best;
}

/** A moved or resized box, snapped: {box, guides}. `handle` is null for a move. */
export function snapBox(layout, element, box, handle, limit) {
  const lines = snapLines(layout, element);
  const out = box.slice();
  const guides = [];
  const axes = [{ axis: "x", lines: lines.xs, low: "w", high: "e", at: 0, size: 2 },
                { axis: "y", lines: lines.ys, low: "n", high: "s", at: 1, size: 3 }];
  for (const a of axes) {
    if (handle && !handle.includes(a.low) && !handle.includes(a.high)) continue;
    const start = out[a.at], size = out[a.size];
    const edges = !handle ? [start, start + size / 2, start + size]
      : handle.includes(a.low) ? [start] : [start + size];
    const hit = nearest(edges, a.lines, limit);
    if (!hit) continue;
    if (!handle) out[a.at] += hit.shift;
    else if (handle.includes(a.low)) { out[a.at] += hit.shift; out[a.size] -= hit.shift; }
    else out[a.size] += hit.shift;
    guides.push({ axis: a.axis, v: hit.line.v, kind: hit.line.kind });
  }
  return { box: [out[0], out[1], Math.max(1, out[2]), Math.max(1, out[3])], guides };
}

/** `box` moved by (dx, dy) through `handle` (null: the whole box). */
function dragged(box, handle, dx, dy) {
  let [x, y, w, h] = box;
  if (!handle) return [x + dx, y + dy, w, h];
  if (handle.includes("w")) { x += dx; w -= dx; }
  if (handle.includes("e")) w += dx;
  if (handle.includes("n")) { y += dy; h -= dy; }
  if (handle.includes("s")) h += dy;
  if (w < 1) { x += w - 1; w = 1; }
  if (h < 1) { y += h - 1; h = 1; }
  return [x, y, w, h];
}

export function createCanvas(ctx) {
  let drag = null;  // {cell, element, handle, start: [x,y], box, moved, result}

  function overlayOf(cell) {
    const frame = cell.querySelector(".frame");
    let overlay = frame.querySelector(".overlay");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "overlay";
      overlay.tabIndex = -1;
      frame.appendChild(overlay);
      overlay.addEventListener("mousedown", (event) => onDown(event, cell));
      overlay.addEventListener("mousemove", (event) => onHover(event, cell));
      overlay.addEventListener("mouseleave", () => { overlay.querySelector(".hover")?.remove(); });
    }
    return overlay;
  }

  function canvasPoint(event, cell, layout) {
    const view = viewOf(cell, layout);
    if (!view) return null;
    const f = view.frame.getBoundingClientRect();
    return { x: (event.clientX - f.left - view.left) / view.scale,
             y: (event.clientY - f.top - view.top) / view.scale, view };
  }

  function place(node, view, box) {
    const [x, y, w, h] = box;
    node.style.left = `${view.left + x * view.scale}px`;
    node.style.top = `${view.top + y * view.scale}px`;
    node.style.width = `${w * view.scale}px`;
    node.style.height = `${h * view.scale}px`;
  }

  function onHover(event, cell) {
    if (drag) return;
    const layout = ctx.layoutOf(cell);
    const overlay = overlayOf(cell);
    overlay.querySelector(".hover")?.remove();
    if (!layout) return;
    const p = canvasPoint(event, cell, layout);
    const hit = p && hitTest(layout, p.x, p.y);
    if (!hit || (ctx.selection() && hit.span.start === ctx.selection().start)) return;
    const box = document.createElement("div");
    box.className = "hover";
    box.title = `${hit.kind}${hit.name ? " " + hit.name : ""} · line ${hit.span.line}`;
    place(box, p.view, targetBox(hit));
    overlay.appendChild(box);
  }

  function onDown(event, cell) {
    if (event.button !== 0) return;
    const layout = ctx.layoutOf(cell);
    if (!layout) return;
    const p = canvasPoint(event, cell, layout);
    if (!p) return;
    const handle = event.target.dataset.handle || null;
    let element = null;
    const sel = ctx.selection();
    if (handle && sel) {
      element = layout.elements.find((e) => e.span && e.span.start === sel.start) || null;
    }
    if (!element) element = hitTest(layout, p.x, p.y);
    event.preventDefault();
    overlayOf(cell).focus({ preventScroll: true });
    if (!element) { ctx.select(null, cell); return; }
    ctx.select(element, cell);
    drag = { cell, layout, element, handle, start: [p.x, p.y], box: targetBox(element).slice(),
             moved: false, result: null, scale: p.view.scale };
    window.addEventListener("mousemove", onMove);
    window.addEventListener("mouseup", onUp, { once: true });
  }

  function onMove(event) {
    if (!drag) return;
    const p = canvasPoint(event, drag.cell, drag.layout);
    if (!p) return;
    const dx = p.x - drag.start[0], dy = p.y - drag.start[1];
    if (!drag.moved && Math.hypot(dx, dy) * drag.scale < DRAG_START_PX) return;
    drag.moved = true;
    const raw = dragged(drag.box, drag.handle, dx, dy);
    const snapped = event.altKey ? { box: raw, guides: [] }
      : snapBox(drag.layout, drag.element, raw, drag.handle, SNAP_PX / drag.scale);
    drag.result = snapped.box;
    paintDrag(drag.cell, drag.layout, snapped);
  }

  function onUp() {
    window.removeEventListener("mousemove", onMove);
    const done = drag;
    drag = null;
    if (!done) return;
    overlayOf(done.cell).querySelectorAll(".guide, .ghost").forEach((n) => n.remove());
    if (done.moved && done.result) {
      const rounded = done.result.map((v) => Math.round(v * 100) / 100);
      ctx.commitBox(done.element, rounded, done.cell);
    } else {
      paint();
    }
  }

  function paintDrag(cell, layout, snapped) {
    const overlay = overlayOf(cell);
    const view = viewOf(cell, layout);
    if (!view) return;
    overlay.querySelectorAll(".guide").forEach((n) => n.remove());
    let ghost = overlay.querySelector(".ghost");
    if (!ghost) {
      ghost = document.createElement("div");
      ghost.className = "ghost";
      overlay.appendChild(ghost);
    }
    place(ghost, view, snapped.box);
    for (const g of snapped.guides) {
      const line = document.createElement("div");
      line.className = `guide guide-${g.axis} guide-${g.kind}`;
      if (g.axis === "x") {
        line.style.left = `${view.left + g.v * view.scale}px`;
        line.style.top = `${view.top}px`;
        line.style.height = `${layout.height * view.scale}px`;
      } else {
        line.style.top = `${view.top + g.v * view.scale}px`;
        line.style.left = `${view.left}px`;
        line.style.width = `${layout.width * view.scale}px`;
      }
      overlay.appendChild(line);
    }
  }

  /** Outline the selected element in every preview that drew it; handles where it was picked. */
  function paint() {
    const sel = ctx.selection();
    const active = ctx.activeCell();
    for (const cell of ctx.cells()) {
      const overlay = overlayOf(cell);
      overlay.querySelectorAll(".sel, .slot-box, .handle").forEach((n) => n.remove());
      const layout = ctx.layoutOf(cell);
      if (!sel || !layout) continue;
      const view = viewOf(cell, layout);
      if (!view) continue;
      for (const e of layout.elements) {
        if (!e.span || e.span.start !== sel.start) continue;
        const box = document.createElement("div");
        box.className = "sel" + (cell === active ? " active" : "");
        box.dataset.form = e.form;
        place(box, view, targetBox(e));
        overlay.appendChild(box);
        if (e.form === "slot") {  // the image as drawn inside the slot it is placed in
          const drawn = document.createElement("div");
          drawn.className = "slot-box";
          place(drawn, view, e.box);
          overlay.appendChild(drawn);
        }
        if (cell === active) {
          for (const h of HANDLES) {
            const handle = document.createElement("div");
            handle.className = `handle handle-${h}`;
            handle.dataset.handle = h;
            box.appendChild(handle);
          }
        }
      }
    }
  }

  function nudge(event) {
    const sel = ctx.selection();
    const cell = ctx.activeCell();
    if (!sel || !cell || !event.key.startsWith("Arrow")) return false;
    const layout = ctx.layoutOf(cell);
    const element = layout && layout.elements.find((e) => e.span && e.span.start === sel.start);
    if (!element) return false;
    const step = event.shiftKey ? 10 : 1;
    const [x, y, w, h] = targetBox(element);
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    ctx.commitBox(element, [x + d[0], y + d[1], w, h], cell);
    return true;
  }

  return { paint, overlayOf, nudge, isDragging: () => drag !== null };
}
