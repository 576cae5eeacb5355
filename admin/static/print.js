// The receipt's print button: an external script because the CSP forbids inline handlers.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
