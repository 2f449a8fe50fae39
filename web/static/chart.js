// Draws the timeline from the specification the page carries, with the Vega bundle served beside it.
(function () {
  var holder = document.getElementById("chart");
  var spec = document.getElementById("chart-spec");
  if (!holder || !spec || typeof vegaEmbed !== "function") return;
  vegaEmbed(holder, JSON.parse(spec.textContent), { renderer: "svg", actions: false, tooltip: true })
    .then(function () { holder.setAttribute("data-drawn", "yes"); })
    .catch(function (error) { holder.textContent = "The chart could not be drawn: " + error; });
})();
