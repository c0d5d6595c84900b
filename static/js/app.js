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

// "Quote selection": copy the words selected inside a clause's text into the comment's quote field.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quote-target]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.quoteTarget);
    var source = document.getElementById(button.dataset.quoteSource);
    var selection = window.getSelection();
    var status = document.getElementById(button.dataset.quoteStatus);
    if (!field || !source || !selection || selection.isCollapsed ||
        !source.contains(selection.anchorNode) || !source.contains(selection.focusNode)) {
      if (status) { status.textContent = "Select words in the clause text first."; }
      return;
    }
    field.value = selection.toString().replace(/\s+/g, " ").trim().slice(0, parseInt(field.maxLength, 10) || 500);
    if (status) { status.textContent = "Quoted: " + field.value; }
    field.focus();
  });
})();

// "Copy link": put a read-only field's text on the clipboard and say so in the status line beside it.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) { return; }
    function say(message) { if (status) { status.textContent = message; } }
    function selectForCopying() {
      field.focus();
      field.select();
      say("The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say("Link copied."); }, selectForCopying);
    } else {
      selectForCopying();
    }
  });
})();
