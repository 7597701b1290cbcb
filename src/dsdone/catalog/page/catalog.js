// Sorts and filters the catalogue's table, in the page: the data comes from the JSON script
// element beside it, the rows are already in the page (in the data's order).
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("catalog-data").textContent);
  const models = data.models;
  const body = document.querySelector("#models tbody");
  const rows = Array.from(body.rows);
  const filter = document.getElementById("filter");
  const status = document.getElementById("status");
  const sort = document.getElementById("sort");
  const direction = document.getElementById("direction");
  const count = document.getElementById("count");
  const headers = Array.from(document.querySelectorAll("#models th[data-sort]"));

  const text = (value) => (value === null || value === undefined ? "" : String(value));
  const lower = (value) => text(value).toLocaleLowerCase();

  // What a model is found by: every word of the filter must be in it.
  const haystacks = models.map((model) =>
    lower(
      [
        model.name,
        model.description,
        model.owner,
        model.consumers.join(" "),
        model.inputs.map((item) => [item.name, item.format, item.source].join(" ")).join(" "),
        model.outputs.map((item) => [item.name, item.format].join(" ")).join(" "),
        model.retrain_schedule,
        model.failing.map((failing) => failing.check).join(" "),
        model.repository ? model.repository.name : "",
        model.folder,
        model.commit,
        model.marks.join(" "),
      ].join(" ")
    )
  );

  // The value each sort key compares; null sorts last in either direction.
  const keys = {
    name: (model) => lower(model.name),
    owner: (model) => (model.owner === null ? null : lower(model.owner)),
    ready: (model) => (model.checked ? (model.ready ? 2 : 1) : 0),
    score: (model) => model.score.overall,
    data: (model) => model.score.areas.data,
    model: (model) => model.score.areas.model,
    infrastructure: (model) => model.score.areas.infrastructure,
    monitoring: (model) => model.score.areas.monitoring,
    failing: (model) => model.failing.length,
    schedule: (model) => (model.retrain_schedule === null ? null : lower(model.retrain_schedule)),
    where: (model) => lower((model.repository ? model.repository.name : "") + "/" + model.folder),
    checked: (model) => (model.commit_date === null ? null : Date.parse(model.commit_date)),
  };

  let key = "name";
  let ascending = true;

  function compare(a, b) {
    const x = keys[key](models[a]);
    const y = keys[key](models[b]);
    if (x === null || y === null || x === undefined || y === undefined) {
      const xMissing = x === null || x === undefined;
      const yMissing = y === null || y === undefined;
      return xMissing === yMissing ? a - b : xMissing ? 1 : -1;
    }
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (ascending ? order : -order) || a - b;
  }

  function shows(index) {
    const model = models[index];
    const wanted = status.value;
    const fits =
      wanted === "all" ||
      (wanted === "ready" && model.ready) ||
      (wanted === "not-ready" && !model.ready) ||
      (wanted === "unchecked" && !model.checked);
    const words = lower(filter.value).split(/\s+/).filter(Boolean);
    return fits && words.every((word) => haystacks[index].includes(word));
  }

  function apply() {
    const order = models.map((_, index) => index).sort(compare);
    let shown = 0;
    for (const index of order) {
      const row = rows[index];
      row.hidden = !shows(index);
      shown += row.hidden ? 0 : 1;
      body.appendChild(row);
    }
    count.textContent =
      shown === models.length
        ? models.length + (models.length === 1 ? " model" : " models")
        : "Showing " + shown + " of " + models.length + " models";
    for (const header of headers) {
      const sorted = header.dataset.sort === key;
      header.setAttribute("aria-sort", sorted ? (ascending ? "ascending" : "descending") : "none");
    }
    sort.value = key;
    direction.textContent = ascending ? "↑ ascending" : "↓ descending";
    direction.setAttribute("aria-label", "Sort order: " + (ascending ? "ascending" : "descending"));
  }

  filter.addEventListener("input", apply);
  status.addEventListener("change", apply);
  sort.addEventListener("change", () => {
    key = sort.value;
    ascending = true;
    apply();
  });
  direction.addEventListener("click", () => {
    ascending = !ascending;
    apply();
  });
  for (const header of headers) {
    header.querySelector("button").addEventListener("click", () => {
      ascending = key === header.dataset.sort ? !ascending : true;
      key = header.dataset.sort;
      apply();
    });
  }
  apply();
})();
