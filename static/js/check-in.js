// Check-in page: search as you type, one-tap buttons without a page reload, and counts kept
// live (other organisers at the door check people in too). Without this script the page
// works with its plain forms.
(function () {
  "use strict";
  var page = document.querySelector(".checkin[data-fragment-url]");
  var live = document.getElementById("checkin-live");
  var input = document.getElementById("checkin-q");
  var status = document.getElementById("checkin-status");
  if (!page || !live || !input || !window.fetch) { return; }
  var baseUrl = page.getAttribute("data-fragment-url");
  var typingTimer = null;
  var busy = false;
  var REFRESH_MS = 15000;

  function fragmentUrl() {
    var params = new URLSearchParams({ q: input.value.trim(), fragment: "1" });
    return baseUrl + "?" + params.toString();
  }

  function show(html, focusId) {
    live.innerHTML = html;
    var part = live.querySelector(".checkin-live");
    var said = part && part.getAttribute("data-status");
    if (said) { status.textContent = said; }
    if (focusId) {
      var button = document.querySelector("#" + focusId + " button");
      if (button) { button.focus(); }
    }
    // Hidden `q` fields follow the search box, so a plain submit keeps the search too.
    live.querySelectorAll("input[name=q]").forEach(function (field) { field.value = input.value; });
  }

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(fragmentUrl(), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { show(html); } })
      .catch(function () {})
      .finally(function () { busy = false; });
  }

  input.addEventListener("input", function () {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      var query = input.value.trim();
      history.replaceState(null, "", query ? "?" + new URLSearchParams({ q: query }) : baseUrl);
      refresh();
    }, 150);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("checkin-action") && !form.classList.contains("checkin-guest")) { return; }
    event.preventDefault();
    var data = new FormData(form);
    data.set("q", input.value.trim());
    var row = form.closest("li");
    var focusId = row && row.id;
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    // `form.action` would be the hidden field named "action": read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
      .then(function (html) {
        show(html, focusId);
        if (form.classList.contains("checkin-guest")) { form.reset(); }
      })
      .catch(function () { form.submit(); });
  });

  setInterval(function () {
    if (document.visibilityState === "visible" && !live.contains(document.activeElement)) { refresh(); }
  }, REFRESH_MS);
})();
