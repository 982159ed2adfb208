/* ecekit reports: draws the charts of one page from the JSON embedded in it, with uPlot.
   Nothing is fetched. Each chart is a plain function of the data, so a missing key draws nothing. */
(function () {
  "use strict";
  var PALETTE = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#e16f24", "#6e7781"];
  var dataEl = document.getElementById("ecekit-data");
  var D = dataEl ? JSON.parse(dataEl.textContent || "{}") : {};
  var kind = document.body.getAttribute("data-kind");

  function width(el) { return Math.max(320, (el.clientWidth || 560) - 12); }

  function chart(id, title, xs, named, opts) {
    var el = document.getElementById(id);
    if (!el || !xs || !xs.length) { if (el) { el.style.display = "none"; } return null; }
    opts = opts || {};
    var names = Object.keys(named);
    if (!names.length) { el.style.display = "none"; return null; }
    var series = [{ label: opts.xLabel || "x" }];
    if (opts.xFmt) { series[0].value = function (u, v) { return v === null || v === undefined ? "\u2013" : opts.xFmt(v); }; }
    var data = [xs];
    names.forEach(function (name, i) {
      var colour = (opts.colours && opts.colours[name]) || PALETTE[i % PALETTE.length];
      var s = { label: name, stroke: colour, width: 1.5, spanGaps: false };
      if (opts.fmt) { s.value = function (u, v) { return v === null || v === undefined ? "\u2013" : opts.fmt(v); }; }
      if ((opts.dashed || []).indexOf(name) >= 0) { s.dash = [6, 4]; s.width = 2; }
      if (opts.points) { s.points = { show: true, size: 6 }; }
      if (opts.bars) {
        s.paths = uPlot.paths.bars({ size: [0.6, 40] }); s.fill = colour + "99"; s.points = { show: false };
      }
      series.push(s);
      data.push(named[name]);
    });
    (opts.lines || []).forEach(function (line) {
      series.push({ label: line.label, stroke: line.color || "#cf222e", dash: [6, 4], width: 1, points: { show: false } });
      data.push(xs.map(function () { return line.value; }));
    });
    var xAxis = { label: opts.xLabel || "" };
    if (opts.xValues) { xAxis.values = opts.xValues; xAxis.rotate = -35; xAxis.size = 90; xAxis.incrs = [1]; }
    if (opts.xAxis) { Object.keys(opts.xAxis).forEach(function (k) { xAxis[k] = opts.xAxis[k]; }); }
    var yAxis = { label: opts.yLabel || "" };
    if (opts.fmt) { yAxis.values = function (u, vals) { return vals.map(opts.fmt); }; }
    var axes = [xAxis, yAxis];
    var marks = (opts.marks || []).filter(function (m) { return m.x !== null && m.x !== undefined; });
    var hooks = marks.length ? { draw: [function (u) {
      var ctx = u.ctx; ctx.save();
      marks.forEach(function (m) {
        var px = u.valToPos(m.x, "x", true);
        ctx.strokeStyle = m.color; ctx.fillStyle = m.color; ctx.lineWidth = 2; ctx.setLineDash([4, 3]);
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.font = "bold " + Math.round(11 * devicePixelRatio) + "px sans-serif";
        ctx.fillText(m.label, px + 4, u.bbox.top + 14 * devicePixelRatio * (1 + marks.indexOf(m)));
      });
      ctx.restore();
    }] } : {};
    var u = new uPlot({
      title: title, width: width(el), height: opts.height || 260, series: series, axes: axes,
      scales: { x: opts.xRange ? { time: false, range: opts.xRange } : { time: false },
                y: opts.yRange ? { range: opts.yRange } : {} },
      legend: { live: true }, hooks: hooks
    }, data, el);
    return u;
  }

  function sloLines(metric) {
    return (D.slo_lines || []).filter(function (s) {
      var n = String(s.name); return n === metric || n.slice(-metric.length - 1) === "." + metric;
    }).map(function (s) { return { label: "SLO " + s.name + " (" + s.limit + " ms)", value: s.limit }; });
  }

  if (kind === "load" && D.x) {
    var x = D.x;
    chart("c-throughput", "Throughput (requests/s)", x, D.throughput, { xLabel: "s", yLabel: "req/s" });
    chart("c-p95", "p95 latency (ms) from scheduled send", x, D.p95, { xLabel: "s", yLabel: "ms", lines: sloLines("p95") });
    chart("c-p99", "p99 latency (ms) from scheduled send", x, D.p99, { xLabel: "s", yLabel: "ms", lines: sloLines("p99") });
    chart("c-failures", "Failures by kind (per window)", x, D.failures, { xLabel: "s", yLabel: "count" });
    chart("c-violations", "Contract violations by check (per window)", x, D.violations, { xLabel: "s", yLabel: "count" });
    chart("c-schedule", "Schedule health (per window)", x, D.schedule, { xLabel: "s", yLabel: "page views" });
  }

  function percent(v) { return (Math.round(v * 1000) / 10) + " %"; }
  // a state keeps its colour whichever states a run saw: an error is never drawn green
  var STATE_COLOURS = { "first available": "#1a7f37", "first unavailable": "#6e7781", "first busy": "#bf8700",
                        "first closed": "#8250df", "first error": "#cf222e", "ever saw an error": "#82071e" };

  if (kind === "load" && D.outcomes) {
    D.outcomes.forEach(function (c, i) {
      var named = {};
      Object.keys(c.first_state || {}).forEach(function (s) { named["first " + s] = c.first_state[s]; });
      named["ever saw an error"] = c.ever_error;
      chart("c-outcomes-" + i, c.widget + ": what page views saw, per " + (c.window_s || "") + " s window",
        c.x, named, { xLabel: "s since the start", yLabel: "share of page views", yRange: [0, 1], fmt: percent, colours: STATE_COLOURS,
                      dashed: ["ever saw an error"], points: true });
    });
  }

  if (kind === "capacity" && D.rate && D.rate.length) {
    var lines = (D.slo_lines || []).filter(function (s) { return s.unit === "ms" || s.unit === undefined; })
      .map(function (s) { return { label: "SLO " + s.name, value: s.limit }; });
    var marks = [{ x: D.best, label: "max sustainable " + D.best + "/s", color: "#1a7f37" },
                 { x: D.knee, label: "knee " + D.knee + "/s", color: "#bf8700" }];
    chart("c-latency", "Latency (ms) against offered rate", D.rate, { p50: D.p50, p95: D.p95, p99: D.p99 },
      { xLabel: "offered page views/s", yLabel: "ms", points: true, lines: lines, marks: marks });
    chart("c-errors", "Error rate (%) against offered rate", D.rate, { "error rate %": D.error_rate },
      { xLabel: "offered page views/s", yLabel: "%", points: true, marks: marks });
    chart("c-achieved", "Achieved against offered (req/s)", D.rate, { achieved: D.achieved, offered: D.rate },
      { xLabel: "offered page views/s", yLabel: "req/s", points: true, marks: marks });
    if (D.usl && D.usl.curve && D.usl.curve.concurrency) {
      var usl = {};
      usl[D.usl.curve.name || "USL model (extrapolation)"] = D.usl.curve.model;
      if (D.usl.curve.measured) { usl.measured = D.usl.curve.measured; }
      chart("c-usl", "Scalability fit: throughput against concurrency", D.usl.curve.concurrency, usl,
        { xLabel: "concurrency (Little's law)", yLabel: "req/s", points: true });
    }
  }

  // x = -log10(1 - p/100): p90, p99 and p99.9 one step apart each (the view computes x)
  var TAIL = [0, 50, 90, 99, 99.9, 99.99, 99.999];
  function quantileX(p) { return -Math.log10(1 - p / 100); }
  function percentileOf(x) { return Math.round(100000 * (100 - 100 * Math.pow(10, -x))) / 100000; }

  if (kind === "compare" && D.distributions) {
    D.distributions.forEach(function (d, i) {
      var last = d.x[d.x.length - 1];
      chart("c-dist-" + i, d.name + ": latency by percentile, before and after (ms)", d.x,
        { before: d.before, after: d.after },
        { xLabel: "percentile (quantile scale)", yLabel: "ms", points: true,
          xFmt: function (x) { return "p" + percentileOf(x); }, xAxis: {
          splits: function () { return TAIL.map(quantileX).filter(function (x) { return x <= last * 1.05; }); },
          values: function (u, splits) { return splits.map(function (x) { return "p" + percentileOf(x); }); } } });
    });
  }

  if (kind === "compare" && D.capacity) {
    var sides = ["before", "after"];
    var CAPACITY_COLOURS = { "lowest rate breached": "#cf222e", "highest rate held": "#1a7f37" };
    chart("c-capacity", "Capacity: highest rate held and lowest rate breached (page views/s)", [0, 1],
      // the breached bar first, the held one over it: what shows of the first is the bracket
      { "lowest rate breached": D.capacity.breached, "highest rate held": D.capacity.held },
      { bars: true, xLabel: "run", yLabel: "page views/s", colours: CAPACITY_COLOURS, xRange: [-0.5, 1.5],
        yRange: function (u, min, max) { return [0, (max || 1) * 1.1]; },
        xValues: function (u, vals) { return vals.map(function (v) { return sides[v] || ""; }); } });
  }

  if (kind === "fuzz" && D.families && D.families.length) {
    var idx = D.families.map(function (_, i) { return i; });
    chart("c-families", "Examples tried and failing, per family", idx, { tried: D.tried, failing: D.failed },
      { bars: true, xLabel: "family", yLabel: "examples", height: 300,
        xValues: function (u, vals) { return vals.map(function (v) { return D.families[v] || ""; }); } });
  }
}());
