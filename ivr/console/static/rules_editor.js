// A plain <textarea> with a line-number gutter, the cursor's line shown in words, and
// "go to line N" (used by the error links). The gutter is decoration (aria-hidden): the
// line number a screen reader needs is in the "Line N" text next to it.
"use strict";

window.RulesEditor = (textarea, gutter, cursorLine) => {
  let lines = 0;

  function countLines() {
    let n = 1;
    const text = textarea.value;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n += 1;
    return n;
  }

  function renderGutter() {
    const n = countLines();
    if (n === lines) return;
    lines = n;
    const numbers = new Array(n);
    for (let i = 0; i < n; i += 1) numbers[i] = i + 1;
    gutter.textContent = numbers.join("\n");
    gutter.scrollTop = textarea.scrollTop;
  }

  function lineAt(offset) {
    let n = 1;
    const text = textarea.value;
    for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) n += 1;
    return n;
  }

  function showCursor() {
    cursorLine.textContent = `Line ${lineAt(textarea.selectionStart)} of ${lines}`;
  }

  // Select line `line` (1-based), scroll it into view a third of the way down, focus.
  function goTo(line) {
    const text = textarea.value;
    const target = Math.max(1, Math.min(line, countLines()));
    let start = 0;
    for (let n = 1; n < target; n += 1) start = text.indexOf("\n", start) + 1;
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    const height = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    textarea.scrollTop = Math.max(0, (target - 1) * height - textarea.clientHeight / 3);
    gutter.scrollTop = textarea.scrollTop;
    showCursor();
  }

  function set(text) {
    textarea.value = text;
    lines = 0;
    renderGutter();
    textarea.scrollTop = 0;
    textarea.setSelectionRange(0, 0);
    showCursor();
  }

  textarea.addEventListener("input", () => { renderGutter(); showCursor(); });
  textarea.addEventListener("scroll", () => { gutter.scrollTop = textarea.scrollTop; });
  for (const kind of ["keyup", "click", "select"]) textarea.addEventListener(kind, showCursor);
  return { set, goTo, get: () => textarea.value };
};
