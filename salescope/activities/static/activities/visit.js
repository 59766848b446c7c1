// Check-in and check-out from the phone: the browser's position goes with the form when the
// person allows it (and within 8 seconds); without it the visit is recorded all the same.
(function () {
  "use strict";
  function withPosition(form) {
    var submit = function () { form.dataset.located = "1"; form.submit(); };
    if (!navigator.geolocation) { submit(); return; }
    var status = form.querySelector("[data-geo-status]");
    if (status) { status.hidden = false; }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude;
      form.elements.longitude.value = position.coords.longitude;
      if (form.elements.accuracy) { form.elements.accuracy.value = position.coords.accuracy; }
      submit();
    }, function (error) { console.warn("geolocation", error.code, error.message); submit(); }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located === "1") { return; }
      event.preventDefault();
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      withPosition(form);
    });
  });
})();
