/* Keeps what a person types in the quarterly form in this browser until the server has it,
   so a lost connection or an expired session loses nothing. */
(function () {
  "use strict";
  var marker = document.getElementById("draft-keeper");
  if (!marker || !window.localStorage) { return; }
  var key = marker.dataset.storageKey;
  if (marker.dataset.saved === "1") {
    localStorage.removeItem(key);
    // A reload must not clear again what is typed from now on: drop the one-time marker from the URL.
    if (window.history && history.replaceState) {
      history.replaceState(null, "", window.location.pathname + window.location.hash);
    }
  }

  var form = document.getElementById("submission-form");
  if (!form) { return; }
  var skip = { csrfmiddlewaretoken: true, version: true, action: true };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !skip[el.name] && el.type !== "file" && el.type !== "submit";
    });
  }
  function current() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    return values;
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  var timer = null;
  function keep() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: current() })); } catch (e) { /* full or private mode */ }
    }, 300);
  }

  var saved = stored();
  var now = current();
  var differs = saved && Object.keys(saved.values).some(function (name) {
    return name in now && saved.values[name] !== now[name];
  });
  var panel = document.getElementById("draft-restore");
  if (differs && panel) {
    panel.classList.remove("d-none");
    document.getElementById("draft-restore-button").addEventListener("click", function () {
      fields().forEach(function (el) {
        if (el.name in saved.values) { el.value = saved.values[el.name]; }
      });
      panel.textContent = panel.dataset.restoredText;
      var first = fields()[0];
      if (first) { first.focus(); }
    });
    document.getElementById("draft-discard-button").addEventListener("click", function () {
      localStorage.removeItem(key);
      panel.classList.add("d-none");
    });
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
})();
