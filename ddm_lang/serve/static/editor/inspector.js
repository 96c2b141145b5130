// The inspector: the selected element's properties as form fields (colours with a picker
// and their contrast on what the text stands on, fonts from the server's registry, `fit()`
// ranges), its format overrides, its pipeline of operations, and for an image what its
// object chose among the product's images and why. Every field edits the source through
// `ctx.edit`; the source stays the single truth.

import { escapeHtml } from "./highlight.js";

const HEX = /^#[0-9a-fA-F]{6}$/;
const FIT = /^fit\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/;
const FONT = /^"([^"]*)"\s*(\d+)?\s*(italic)?$/;

function srgb(c) { return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }
function luminance(hex) {
  const n = parseInt(hex.slice(1, 7), 16);
  return 0.2126 * srgb((n >> 16 & 255) / 255) + 0.7152 * srgb((n >> 8 & 255) / 255)
    + 0.0722 * srgb((n & 255) / 255);
}
/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a, b) {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}
function verdict(ratio) {
  return ratio >= 7 ? "AAA" : ratio >= 4.5 ? "AA" : ratio >= 3 ? "AA large" : "fails";
}

const FORMS = {
  box: "a box of four lengths: dragging writes them back in their units",
  slot: "placed in a slot: dragging moves the slot; the image fits its subject inside. Detach makes the slot its own box (placed the same), which can differ per format",
  anchored: "an anchored box: detach it to place it by hand",
  computed: "a box computed by an expression: detach it to place it by hand",
  xywh: "x, y, width and height properties",
  center: "a centre (cx, cy) and radii: dragging writes them back in their units",
  point: "a text at a point (x, y): edit them in the source",
  canvas: "no box: it fills the canvas; dragging gives it one",
  drawn: "its own SVG geometry: edit it in the source",
};

export function createInspector(ctx) {
  const root = document.getElementById("inspector");
  const body = root.querySelector(".inspector-body");
  let fonts = [];
  let seq = 0;
  let shown = null;   // {start, source}: what the fields were drawn for

  ctx.api("api/fonts").then(({ body: b }) => { fonts = (b && b.families) || []; });

  function clear(message) {
    shown = null;
    body.innerHTML = `<p class="muted empty">${escapeHtml(message)}</p>`;
  }

  /** Draw the fields for the selection (again when the text or the active cell changed). */
  async function refresh(force = false) {
    const sel = ctx.selection();
    if (!sel) { clear("Click an element in a preview, or put the cursor in one in the source."); return; }
    const source = ctx.source();
    const key = `${sel.start}|${source.length}|${ctx.activeFormat()}|${ctx.activeProduct()}`;
    if (!force && shown && shown.key === key) return;
    const mine = ++seq;
    const { ok, body: info } = await ctx.postJson("api/inspect", { source, element: sel.start });
    if (mine !== seq) return;
    if (!ok) { clear(info && info.error ? info.error : "This element cannot be inspected."); return; }
    shown = { key };
    draw(info, sel);
  }

  function draw(info, sel) {
    const element = ctx.selectedElement();
    const fmt = ctx.activeFormat();
    const overrideHere = info.overrides.find((o) => o.format === fmt);
    const html = [];
    html.push(`<div class="insp-head"><b>${escapeHtml(info.kind)}</b>`
      + `${info.name ? " " + escapeHtml(info.name) : ""}`
      + `<a class="goto" href="#" data-line="${info.line}">line ${info.line}</a></div>`);
    if (info.conditions.length) {
      html.push(`<div class="insp-when">drawn when ${info.conditions.map((c) => `<code>${escapeHtml(c)}</code>`).join(" and ")}</div>`);
    }
    if (element) {
      const flow = element.flow ? `<div class="insp-flow">flows <b>${escapeHtml(element.flow)}</b>`
        + ` <button class="small" data-action="detach">Detach</button></div>` : "";
      const detach = !element.flow && ["anchored", "computed", "slot"].includes(element.form)
        ? ' <button class="small" data-action="detach">Detach</button>' : "";
      html.push(`<div class="insp-form"><span class="form-tag">${escapeHtml(element.form)}</span> `
        + `${escapeHtml(FORMS[element.form] || "")}${detach}</div>${flow}`);
      if (element.solved) html.push('<div class="insp-note">the layout solver moved it for this product</div>');
    }
    html.push(`<label class="only"><input type="checkbox" id="only-format" ${ctx.onlyFormat() ? "checked" : ""}>`
      + ` changes apply to format <b>${escapeHtml(fmt || "—")}</b> only</label>`);
    html.push('<h4>Properties</h4><div class="props">');
    for (const p of info.properties) {
      const over = overrideHere && overrideHere.properties.find((o) => o.name === p.name);
      html.push(propertyRow(over || p, over ? fmt : null));
    }
    if (overrideHere) {
      for (const o of overrideHere.properties) {
        if (!info.properties.some((p) => p.name === o.name)) html.push(propertyRow(o, fmt));
      }
    }
    html.push('</div><div class="add-prop"><input class="new-name" placeholder="property" size="10">'
      + '<input class="new-value" placeholder="value" size="14"><button class="small" data-action="add">Add</button></div>');
    const others = info.overrides.filter((o) => o !== overrideHere);
    if (others.length) {
      html.push("<h4>Overrides</h4><ul class=\"overrides\">");
      for (const o of others) {
        html.push(`<li><code>${escapeHtml(o.condition)}</code>: ${o.properties.map((p) => `${escapeHtml(p.name)}: <code>${escapeHtml(p.value)}</code>`).join("; ")}</li>`);
      }
      html.push("</ul>");
    }
    if (info.pipeline.length) {
      html.push('<h4>Operations</h4><ol class="pipeline">');
      info.pipeline.forEach((op, i) => {
        html.push(`<li><b>${escapeHtml(op.name)}</b> <code class="op-text">${escapeHtml(op.text)}</code>`);
        for (const a of op.args) {
          html.push(`<label class="arg">${escapeHtml(a.name)} <input data-op="${i}" data-arg="${escapeHtml(a.name)}" value="${escapeHtml(a.value)}" size="8"></label>`);
        }
        html.push("</li>");
      });
      html.push("</ol>");
    }
    html.push('<div class="materials"></div>');
    body.innerHTML = html.join("");
    wire(info, sel);
    if (info.kind === "text") showContrast(sel);
    if (info.kind === "image") showMaterials(info);
  }

  function propertyRow(p, fmt) {
    const tag = fmt ? `<span class="only-tag" title="set for ${escapeHtml(fmt)} only">${escapeHtml(fmt)}</span>` : "";
    const name = `<span class="prop-name">${escapeHtml(p.name)}${tag}</span>`;
    const value = escapeHtml(p.value);
    if (p.kind === "color") {
      const hex = HEX.test(p.value) ? p.value : "#000000";
      return `<div class="prop" data-name="${escapeHtml(p.name)}">${name}<span class="prop-value color">`
        + `<input type="color" value="${hex}" data-role="picker"><input data-role="text" value="${value}" size="12">`
        + `<span class="ratio"></span></span></div>`;
    }
    if (p.kind === "font") {
      const m = FONT.exec(p.value.trim());
      const options = fonts.map((f) => `<option${m && m[1].toLowerCase() === f.toLowerCase() ? " selected" : ""}>${escapeHtml(f)}</option>`);
      if (m && !fonts.some((f) => f.toLowerCase() === m[1].toLowerCase())) options.unshift(`<option selected>${escapeHtml(m[1])}</option>`);
      return `<div class="prop" data-name="font">${name}<span class="prop-value font">`
        + (m ? `<select data-role="family">${options.join("")}</select><input data-role="weight" type="number" min="100" max="900" step="100" value="${m[2] || 400}">`
          + `<label><input type="checkbox" data-role="italic"${m[3] ? " checked" : ""}>italic</label>`
          : `<input data-role="text" value="${value}" size="18">`) + "</span></div>";
    }
    if (p.kind === "size") {
      const m = FIT.exec(p.value.trim());
      if (m) {
        return `<div class="prop" data-name="size">${name}<span class="prop-value fit">fit(`
          + `<input data-role="lo" value="${escapeHtml(m[1])}" size="5">, <input data-role="hi" value="${escapeHtml(m[2])}" size="5">)</span></div>`;
      }
    }
    return `<div class="prop" data-name="${escapeHtml(p.name)}">${name}<span class="prop-value">`
      + `<input data-role="text" value="${value}" size="18"></span></div>`;
  }

  function valueOf(row) {
    const q = (role) => row.querySelector(`[data-role="${role}"]`);
    if (q("lo")) return `fit(${q("lo").value.trim()}, ${q("hi").value.trim()})`;
    if (q("family")) {
      return `"${q("family").value}" ${q("weight").value || 400}${q("italic").checked ? " italic" : ""}`;
    }
    return q("text").value;
  }

  function wire(info, sel) {
    body.querySelector(".goto").addEventListener("click", (event) => {
      event.preventDefault();
      ctx.revealLine(info.line);
    });
    body.querySelector("#only-format").addEventListener("change", (event) => {
      ctx.setOnlyFormat(event.target.checked);
    });
    for (const row of body.querySelectorAll(".prop")) {
      const commit = () => ctx.edit({ op: "property", element: sel.start, name: row.dataset.name,
                                       value: valueOf(row) });
      for (const input of row.querySelectorAll("input, select")) {
        if (input.dataset.role === "picker") {
          input.addEventListener("input", () => {
            row.querySelector('[data-role="text"]').value = input.value;
            liveRatio(row, input.value);
          });
          input.addEventListener("change", commit);
        } else if (input.type === "checkbox" || input.tagName === "SELECT") {
          input.addEventListener("change", commit);
        } else {
          input.addEventListener("change", commit);  // on Enter and on leaving the field
        }
      }
    }
    body.querySelector('[data-action="add"]').addEventListener("click", () => {
      const name = body.querySelector(".new-name").value.trim();
      const value = body.querySelector(".new-value").value.trim();
      if (name && value) ctx.edit({ op: "property", element: sel.start, name, value });
    });
    for (const button of body.querySelectorAll('[data-action="detach"]')) {
      button.addEventListener("click", () => ctx.detach());
    }
    for (const input of body.querySelectorAll("input[data-op]")) {
      input.addEventListener("change", () => ctx.edit({
        op: "argument", element: sel.start, index: Number(input.dataset.op),
        name: input.dataset.arg, value: input.value }, { noFormat: true }));
    }
  }

  let backdrop = null;  // {key, backdrop, fill, ratio}
  async function showContrast(sel) {
    const cell = ctx.activeCell();
    const version = ctx.version();
    if (!cell || !version) return;
    const key = `${version}|${cell.dataset.product}|${cell.dataset.format}|${sel.start}`;
    if (!backdrop || backdrop.key !== key) {
      const q = new URLSearchParams({ v: version, product: cell.dataset.product,
                                      format: cell.dataset.format, element: String(sel.start) });
      const { ok, body: b } = await ctx.api("api/backdrop?" + q);
      if (!ok) return;
      backdrop = { key, ...b };
    }
    const row = body.querySelector('.prop[data-name="fill"]');
    if (row) {
      const text = row.querySelector('[data-role="text"]').value.trim();
      liveRatio(row, HEX.test(text) ? text : backdrop.fill);
      if (!HEX.test(text) && backdrop.fill) row.querySelector('[data-role="picker"]').value = backdrop.fill.slice(0, 7);
    }
  }

  function liveRatio(row, hex) {
    const out = row.querySelector(".ratio");
    if (!out || !backdrop || !hex || !HEX.test(hex.slice(0, 7))) return;
    const ratio = contrast(hex.slice(0, 7), backdrop.backdrop.slice(0, 7));
    out.textContent = `${ratio.toFixed(1)}:1 ${verdict(ratio)}`;
    out.className = "ratio " + (ratio >= 4.5 ? "pass" : ratio >= 3 ? "weak" : "fail");
    out.title = `contrast with ${backdrop.backdrop}, the colour under this text in ${row.closest(".inspector-body") ? ctx.activeFormat() : ""}`;
  }

  function showMaterials(info) {
    const layout = ctx.layoutOf(ctx.activeCell());
    const box = body.querySelector(".materials");
    const name = info.name;
    const chosen = layout && layout.selections.find((s) => s.object === name);
    if (!chosen) return;
    const product = ctx.activeProduct();
    const rows = chosen.candidates.map((c) => {
      const picked = chosen.chosen.includes(c.image);
      const thumb = c.image === null ? "" : `<img src="api/image?${new URLSearchParams({ product, index: String(c.image) })}" alt="image ${c.image + 1}">`;
      const why = c.rejected ? `left out: ${escapeHtml(c.rejected)}`
        : chosen.prefer.map((p, i) => `${escapeHtml(p)} = <b>${escapeHtml(c.keys[i] ?? "")}</b>`).join(", ");
      return `<li class="${picked ? "picked" : c.rejected ? "rejected" : ""}">${thumb}<span>${picked ? "<b>chosen</b> · " : ""}${why || "qualifies"}</span></li>`;
    });
    box.innerHTML = `<h4>Object <code>${escapeHtml(name)}</code></h4>`
      + `<div class="muted">where <code>${escapeHtml(chosen.where || "any image")}</code>`
      + (chosen.prefer.length ? `, prefer <code>${escapeHtml(chosen.prefer.join(", "))}</code>` : "") + "</div>"
      + `<ul class="candidates">${rows.join("")}</ul>`;
  }

  return { refresh, clear };
}
