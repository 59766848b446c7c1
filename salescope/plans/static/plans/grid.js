// The target grid behaves like a spreadsheet: arrow keys and Enter move between cells, and a
// block copied from Excel (tab-separated rows) pastes into the cells from the focused one on.
// Forms with data-confirm ask before they submit.
(function () {
  "use strict";
  // A form whose submission destroys work (decomposing again replaces the parts below and
  // their comments) says so in data-confirm; submit it only once confirmed.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.dataset && form.dataset.confirm;
    var submitter = event.submitter;  // a preview writes nothing: no need to ask
    if (submitter && submitter.hasAttribute("data-no-confirm")) { return; }
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  var grid = document.getElementById("target-grid");
  if (!grid) { return; }

  function cellAt(row, col) {
    return grid.querySelector('tr[data-row="' + row + '"] .grid-cell[data-col="' + col + '"]');
  }

  function position(input) {
    var row = Number(input.closest("tr").dataset.row);
    return { row: row, col: Number(input.dataset.col) };
  }

  function clean(text) {
    return text.replace(/[\s,，¥￥]/g, "");
  }

  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-cell")) { return; }
    var at = position(input);
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
    if (event.altKey || event.ctrlKey) {
      moves.ArrowLeft = [0, -1];
      moves.ArrowRight = [0, 1];
    }
    var move = moves[event.key];
    if (!move) { return; }
    var next = cellAt(at.row + move[0], at.col + move[1]);
    if (next) {
      event.preventDefault();
      next.focus();
      next.select();
    }
  });

  grid.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-cell")) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; }
    event.preventDefault();
    var at = position(input);
    var lines = text.replace(/\r/g, "").split("\n").filter(function (l) { return l.length; });
    lines.forEach(function (line, r) {
      line.split("\t").forEach(function (value, c) {
        var target = cellAt(at.row + r, at.col + c);
        if (target && !target.readOnly) {
          target.value = clean(value);
          target.classList.add("is-pasted");
        }
      });
    });
  });

  grid.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("grid-cell")) {
      event.target.classList.add("is-changed");
    }
  });
})();
