// Syntax highlighting and inline diagnostics for DDM source, drawn into the <pre> that lies
// under the editor's transparent <textarea>. Only colours change, never glyph widths
// (no bold, no italics, no inserted text before a line's end), so the caret stays on the
// character it is drawn over.

const TOKEN = new RegExp([
  String.raw`(?<comment>\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))`,
  String.raw`(?<string>"""[\s\S]*?(?:"""|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)`,
  String.raw`(?<color>#[0-9A-Za-z]+)`,
  String.raw`(?<size>\d+x\d+(?![A-Za-z0-9]))`,
  String.raw`(?<number>(?:\d+(?:\.\d+)?|\.\d+)(?:[A-Za-z]+|%)?)`,
  String.raw`(?<ident>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)`,
  String.raw`(?<operator>==|!=|<=|>=|[<>|+\-*/=?:])`,
  String.raw`(?<punct>[{}()\[\];,.])`,
].join("|"), "g");

const CSS_HEX = /^#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** Word sets from the server's vocabulary (keywords come from the grammar). */
export function makeVocabulary(v) {
  return {
    keywords: new Set(v.keywords || []),
    elements: new Set(v.elements || []),
    functions: new Set(v.functions || []),
    operations: new Set(v.operations || []),
    properties: new Set(v.properties || []),
  };
}

/** Tokens of `text` as {start, end, cls, color?}; gaps are plain text. */
export function tokenize(text, vocab) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  for (let m; (m = TOKEN.exec(text));) {
    const g = m.groups;
    const start = m.index, end = start + m[0].length;
    let cls = Object.keys(g).find((k) => g[k] !== undefined);
    if (cls === "size") cls = "number";
    if (cls === "ident") cls = classifyIdent(text, start, end, m[0], vocab, tokens);
    const token = { start, end, cls };
    if (cls === "color" && CSS_HEX.test(m[0])) token.color = m[0];
    tokens.push(token);
  }
  return tokens;
}

function classifyIdent(text, start, end, word, vocab, tokens) {
  const next = text[end];
  let prev = null;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (tokens[i].cls !== "comment") { prev = tokens[i]; break; }
  }
  const prevText = prev ? text.slice(prev.start, prev.end) : "";
  if (vocab.keywords.has(word) && next !== "(" && next !== ":") return "keyword";
  if (prevText === "|" && vocab.operations.has(word)) return "operation";
  if (next === "(") return vocab.operations.has(word) && prevText === "|" ? "operation" : "function";
  const statementStart = ["", "{", "}", ";"].includes(prevText) || isLineStart(text, start);
  if (/^\s*:(?!:)/.test(text.slice(end, end + 40))
      && (statementStart || prevText === "(" || prevText === ",")) {
    return "property";
  }
  if (vocab.elements.has(word) && statementStart) return "element";
  if (word === "product" || word === "brand" || word === "format" || word === "seed") return "builtin";
  return "name";
}

function isLineStart(text, start) {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  return /^\s*$/.test(text.slice(lineStart, start));
}

export function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A diagnostic message as HTML: its `quoted` names set as code. */
export function messageHtml(message) {
  return escapeHtml(message).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** Column ranges (0-based, end exclusive) each diagnostic marks on each line it touches. */
function diagnosticRanges(diagnostics, lines) {
  const byLine = new Map();
  for (const d of diagnostics) {
    const first = d.line - 1;
    if (first < 0 || first >= lines.length) continue;
    const last = Math.min(Math.max(d.end_line - 1, first), lines.length - 1);
    for (let ln = first; ln <= last; ln++) {
      const text = lines[ln];
      const from = ln === first ? d.col - 1 : text.search(/\S|$/);
      let to = ln === last && d.end_line - 1 === ln ? d.end_col - 1 : text.length;
      if (to <= from) to = from + 1;
      if (!byLine.has(ln)) byLine.set(ln, []);
      byLine.get(ln).push({ from, to, severity: d.severity });
    }
  }
  return byLine;
}

/**
 * HTML for the <pre>: highlighted source, wavy underlines under each diagnostic's range and
 * its message after the end of its first line.
 */
export function renderHighlighted(text, vocab, diagnostics) {
  const classes = new Array(text.length).fill("");
  const colours = new Map();
  for (const t of tokenize(text, vocab)) {
    if (t.cls === "name" || t.cls === "punct") continue;
    for (let i = t.start; i < t.end; i++) classes[i] = t.cls;
    if (t.color) colours.set(t.start, t);
  }
  const lines = text.split("\n");
  const ranges = diagnosticRanges(diagnostics, lines);
  const messages = new Map();
  for (const d of diagnostics) {
    if (d.line < 1 || d.line > lines.length) continue;
    if (!messages.has(d.line - 1)) messages.set(d.line - 1, []);
    messages.get(d.line - 1).push(d);
  }
  const out = [];
  let offset = 0;
  lines.forEach((line, ln) => {
    const marks = ranges.get(ln) || [];
    const markAt = (col) => marks.find((m) => col >= m.from && col < m.to);
    let html = "";
    let col = 0;
    while (col < line.length) {
      const cls = classes[offset + col];
      const mark = markAt(col);
      let end = col + 1;
      while (end < line.length && classes[offset + end] === cls && markAt(end) === mark
             && !colours.has(offset + end)) end++;
      const names = [];
      if (cls) names.push("tok-" + cls);
      if (mark) names.push("squiggle", "sev-" + mark.severity);
      const colour = colours.get(offset + col);
      const style = colour ? ` style="--swatch:${colour.color}"` : "";
      if (colour) names.push("swatch");
      const chunk = escapeHtml(line.slice(col, end));
      html += names.length ? `<span class="${names.join(" ")}"${style}>${chunk}</span>` : chunk;
      col = end;
    }
    const beyond = marks.filter((m) => m.to > line.length);
    if (beyond.length) html += `<span class="squiggle eol sev-${beyond[0].severity}"> </span>`;
    const notes = messages.get(ln);
    if (notes) {
      const sev = notes.some((d) => d.severity === "error") ? "error" : notes[0].severity;
      const text = notes.map((d) => messageHtml(d.message)).join("  ·  ");
      html += `<span class="inline-diag sev-${sev}">${text}</span>`;
    }
    out.push(html);
    offset += line.length + 1;
  });
  // One line more than the text: the textarea can scroll past its last line's end.
  return out.join("\n") + "\n\n";
}
