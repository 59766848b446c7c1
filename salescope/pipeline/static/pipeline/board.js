// Kanban drag and drop (progressive enhancement): dropping a card on another column chooses
// that stage in the card's own move form and submits it; without JavaScript (or on a phone)
// the form's select and button do the same.
(function () {
  "use strict";
  var dragged = null;
  document.querySelectorAll(".kanban-card").forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.opportunity);
      card.classList.add("opacity-50");
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("opacity-50");
    });
  });
  document.querySelectorAll(".kanban-column").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (dragged) {
        event.preventDefault();
        column.classList.add("border-primary");
      }
    });
    column.addEventListener("dragleave", function () {
      column.classList.remove("border-primary");
    });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("border-primary");
      if (!dragged || dragged.closest(".kanban-column") === column) {
        return;
      }
      var form = dragged.querySelector("form.kanban-move");
      form.querySelector("select[name=stage]").value = column.dataset.stage;
      form.submit();
    });
  });
})();
