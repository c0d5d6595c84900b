// Copy buttons for a new API key: <button data-copy-target="input-id">, status in [data-copy-status="input-id"].
(function () {
  "use strict";
  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) { status.textContent = text; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var id = button.getAttribute("data-copy-target");
    var input = document.getElementById(id);
    if (!input) { return; }
    input.select();
    var done = function () { say(id, "Copied. Paste it into the other system now."); };
    var failed = function () { say(id, "Could not copy: the key is selected, press Ctrl+C (⌘C on a Mac)."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, failed);
    } else {
      try { if (document.execCommand("copy")) { done(); } else { failed(); } } catch (e) { failed(); }
    }
  });
}());
