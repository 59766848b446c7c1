// Check-in and check-out from the phone: the browser's position goes with the form when the
// person allows it (and within 8 seconds); without it the visit is recorded all the same.
// Without a connection, the visit is kept on the phone (localStorage) and sent once the phone
// is back online, to /api/v1/visits/offline with an id made here: sent twice, stored once.
(function () {
  "use strict";
  var QUEUE = "salescope.offlineVisits";

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); showQueue(); }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]; }
    catch (e) { return ""; }
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function showQueue() {
    var waiting = load().filter(function (v) { return v.checked_out_at; }).length;
    document.querySelectorAll("[data-offline-queue]").forEach(function (el) {
      el.hidden = waiting === 0;
      var count = el.querySelector("[data-offline-count]");
      if (count) { count.textContent = waiting; }
    });
  }
  function flush() {
    if (!navigator.onLine) { return; }
    load().filter(function (v) { return v.checked_out_at; }).forEach(function (visit) {
      fetch("/api/v1/visits/offline", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(visit),
      }).then(function (response) {
        if (response.status === 200 || response.status === 201 || response.status === 422) {
          save(load().filter(function (v) { return v.client_id !== visit.client_id; }));
          if (response.status !== 422 && document.querySelector("[data-visit='" + visit.visit_id + "']")) {
            window.location.reload();
          }
        }
      }).catch(function () { /* still offline: try again later */ });
    });
  }

  function position(done) {
    if (!navigator.geolocation) { done(null); return; }
    navigator.geolocation.getCurrentPosition(function (p) { done(p.coords); }, function (error) {
      console.warn("geolocation", error.code, error.message);
      done(null);
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }

  function checkInOffline(form, coords) {
    var items = load();
    items.push({
      client_id: newId(),
      visit_id: Number(form.dataset.visit),
      customer_id: Number(form.dataset.customer),
      checked_in_at: new Date().toISOString(),
      latitude: coords ? coords.latitude : null,
      longitude: coords ? coords.longitude : null,
    });
    save(items);
    form.hidden = true;
    var later = document.querySelector("[data-offline-checkout]");
    if (later) { later.hidden = false; }
  }

  function checkOutOffline(form) {
    var items = load();
    var visit = items.filter(function (v) { return v.visit_id === Number(form.dataset.visit); })[0];
    if (!visit) { return; }
    visit.checked_out_at = new Date().toISOString();
    visit.outcome = form.elements.outcome.value;
    visit.notes = form.elements.notes.value;
    visit.cost = form.elements.cost.value || null;
    save(items);
    form.hidden = true;
    flush();
  }

  document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located === "1") { return; }
      event.preventDefault();
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var status = form.querySelector("[data-geo-status]");
      if (status) { status.hidden = false; }
      position(function (coords) {
        if (!navigator.onLine && form.dataset.offline === "check-in") {
          checkInOffline(form, coords);
          return;
        }
        if (coords) {
          form.elements.latitude.value = coords.latitude;
          form.elements.longitude.value = coords.longitude;
          if (form.elements.accuracy) { form.elements.accuracy.value = coords.accuracy; }
        }
        form.dataset.located = "1";
        form.submit();
      });
    });
  });
  document.querySelectorAll("form[data-offline-checkout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      checkOutOffline(form);
    });
  });
  window.addEventListener("online", flush);
  showQueue();
  flush();
  document.documentElement.dataset.visitJs = "ready";
})();
