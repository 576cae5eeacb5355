// The console editor: keep the line numbers and the inline messages scrolled with the text,
// and jump to a line when a problem is clicked. No inline scripts (CSP default-src 'self').
(function () {
  "use strict";
  function source() { return document.getElementById("source"); }
  function sync() {
    var text = source();
    if (!text) { return; }
    ["gutter", "notes"].forEach(function (id) {
      var column = document.getElementById(id);
      if (column) { column.scrollTop = text.scrollTop; }
    });
  }
  function gotoLine(line, column) {
    var text = source();
    if (!text) { return; }
    var lines = text.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset += Math.max(0, (column || 1) - 1);
    text.focus();
    text.setSelectionRange(offset, offset);
    var height = parseFloat(getComputedStyle(text).lineHeight) || 21;
    text.scrollTop = Math.max(0, (line - 3) * height);
    sync();
  }
  document.addEventListener("scroll", function (event) {
    if (event.target === source()) { sync(); }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.goto") : null;
    if (!link) { return; }
    event.preventDefault();
    gotoLine(parseInt(link.dataset.line, 10), parseInt(link.dataset.column, 10));
  });
  document.addEventListener("htmx:afterSettle", sync);
  // The line above the editor says what the text is (the published version, a saved draft):
  // once the text differs from what was loaded, it says so instead, until it is typed back.
  var loadedState = null;
  document.addEventListener("input", function (event) {
    var text = source();
    var state = document.getElementById("edit-state");
    if (event.target !== text || !state) { return; }
    if (loadedState === null) { loadedState = state.textContent; }
    state.textContent = text.value === text.defaultValue
      ? loadedState
      : "有未保存的改动：存为草稿后才会保留，发布前不影响任何人办事。";
  });
})();
