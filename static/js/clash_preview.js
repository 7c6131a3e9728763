// The organiser event form: show the clashes of the dates as soon as they are picked.
// Progressive enhancement: without this script the clashes show after saving, and the
// server checks them on save in any case.
(function () {
  "use strict";
  var form = document.querySelector("form[data-clash-url]");
  if (!form || !window.fetch) return;
  var target = document.getElementById("clash-preview");
  var fields = ["start", "end", "venue"].map(function (name) { return form.elements[name]; });
  var latest = 0;

  function refresh() {
    var start = form.elements.start.value, end = form.elements.end.value;
    if (!start || !end) return;
    var query = new URLSearchParams({ start: start, end: end, venue: form.elements.venue.value });
    if (form.dataset.event) query.set("event", form.dataset.event);
    var request = ++latest;
    fetch(form.dataset.clashUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        // Only the answer to the latest dates counts.
        if (data && request === latest) target.innerHTML = data.html;
      })
      .catch(function () { /* the server check on save remains */ });
  }

  fields.forEach(function (field) {
    if (field) field.addEventListener("change", refresh);
  });
})();
