// MiniBotPanel: live updates from the server's event stream, the phone menu,
// and confirmations. Plain JavaScript, no build step; the pages work without it.
(function () {
  "use strict";

  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      document.body.classList.toggle("nav-open", !open);
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var live = document.querySelector("[data-live]");
  if (!live) { return; }
  var url = live.getAttribute("data-live");
  var pending = null;

  function refresh() {
    pending = null;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        // The login ended (idle or at its lifetime): show the login page rather than stale figures.
        if (response.redirected) {
          window.location.reload();
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        var active = document.getElementById("active-calls");
        if (active && data.active_html !== undefined) { active.innerHTML = data.active_html; }
        var count = document.getElementById("kpi-active");
        if (count) { count.textContent = data.active_count; }
        var leads = document.getElementById("latest-leads");
        if (leads && data.leads_html !== undefined) { leads.innerHTML = data.leads_html; }
        var outcomes = document.getElementById("outcomes");
        if (outcomes && data.outcomes_html !== undefined) { outcomes.innerHTML = data.outcomes_html; }
        var chart = document.getElementById("chart");
        if (chart && data.chart_html !== undefined) { chart.innerHTML = data.chart_html; }
        if (data.kpi) {
          Object.keys(data.kpi).forEach(function (key) {
            var figure = document.getElementById("kpi-" + key);
            if (figure) { figure.textContent = data.kpi[key]; }
          });
        }
        var progress = document.getElementById("campaign-progress");
        if (progress && data.campaign_html !== undefined) { progress.innerHTML = data.campaign_html; }
        var status = document.getElementById("campaign-status");
        if (status && data.campaign_status) {
          status.textContent = data.campaign_status_label;
          status.className = "badge badge-" + data.campaign_status;
          // A finished campaign can no longer be paused or cancelled.
          if (data.campaign_status === "completed" || data.campaign_status === "cancelled") {
            document.querySelectorAll(".toolbar form").forEach(function (form) { form.remove(); });
          }
        }
        document.body.setAttribute("data-live-updated", String(Date.now()));
      })
      .catch(function () {});
  }

  function soon() {
    if (pending === null) { pending = window.setTimeout(refresh, 250); }
  }

  if (window.EventSource) {
    var events = new EventSource("/panel/events");
    events.addEventListener("call", soon);
    events.addEventListener("campaign", soon);
    events.addEventListener("open", function () { document.body.setAttribute("data-live", "connected"); });
  }
  // A slow poll as well, in case a proxy buffers the stream.
  window.setInterval(refresh, 10000);
})();
