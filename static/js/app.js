// Progress bars get their width from data-progress (inline styles are blocked by the CSP).
(function () {
  function applyProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseInt(el.dataset.progress, 10) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { applyProgress(event.target); });
})();
