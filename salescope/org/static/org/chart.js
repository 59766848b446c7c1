// Expand or collapse the whole org chart (each unit is a <details> element).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-org-toggle]");
  if (!button) return;
  const open = button.dataset.orgToggle === "expand";
  document.querySelectorAll("[data-testid='org-chart'] details").forEach((el) => {
    el.open = open;
  });
});
