// The parcel map's drawing code, run inside the st_folium iframe (see lib/maps.py).
//
// Called as (map, P, B, C): the Leaflet map; P = households payload
// {h: [[id, owner, address, ptype#, stage#, days|null, team#, geometry]], p: [ptype], t: [team]};
// B = blocks [[id, name, households, signed %, sealed %, colour, not sealed, geometry, [lon, lat]]];
// C = per-render configuration (mode, colours, labels, legend, tiles, CSS).
// Geometry: [polygon [ring [x, y, dx, dy, ...]]] in integer micro-degrees,
// the first vertex absolute, the rest deltas, the closing vertex left out.
// Every string in P, B and C was HTML-escaped in Python before it got here.
(function (map, P, B, C) {
  "use strict";
  performance.mark("cb-map-start");
  var box = map.getContainer();
  // The iframe's height follows the window (page CSS); the map fills the iframe.
  box.style.height = "100vh";
  document.documentElement.style.overflow = "hidden";
  document.body.style.overflow = "hidden";
  map.invalidateSize();
  box.style.background = C.background;
  box.style.fontFamily = C.font;
  var css = document.createElement("style");
  css.textContent = C.css;
  document.head.appendChild(css);

  // Block labels live in one layer over the map (not in a map pane) so they can be placed in
  // screen pixels: beside their block, inside the frame, never over one another.
  var labelPane = L.DomUtil.create("div", "cb-labels", box);

  function ring(flat) {
    var out = [], x = 0, y = 0;
    for (var k = 0; k < flat.length; k += 2) {
      x += flat[k];
      y += flat[k + 1];
      out.push([x / 1e6, y / 1e6]);
    }
    out.push(out[0]);
    return out;
  }
  function geometry(g) {
    var polygons = g.map(function (p) { return p.map(ring); });
    return polygons.length === 1
      ? {type: "Polygon", coordinates: polygons[0]}
      : {type: "MultiPolygon", coordinates: polygons};
  }
  function row(label, value) {
    return "<tr><th>" + label + "</th><td>" + value + "</td></tr>";
  }
  function dot(colour) {
    return '<span class="cb-dot" style="background:' + colour + '"></span>';
  }

  // Block outlines (under the houses) or, in the city view, blocks filled by sealing rate.
  // On the desk a block is clickable (its outline, the gaps between its houses and its
  // label): st_folium reports it and the page filters the board to it.
  var cityView = C.mode === "blocks";
  var labels = [];
  B.forEach(function (b) {
    var shape = L.geoJSON({type: "Feature", properties: {block: b[0]}, geometry: geometry(b[7])}, {
      interactive: C.block_click,
      style: cityView
        ? {className: "cb-block", color: C.outline, weight: 1.5, fillColor: b[5], fillOpacity: 0.8}
        : {className: "cb-block", color: C.outline, weight: 2, dashArray: "6 4", fill: C.block_click, fillOpacity: 0}
    });
    if (C.block_click) {
      var tip = '<div class="cb-tip-title">' + b[1] + "</div><table>" +
        row(C.t.households, b[2]) + row(C.t.signed, b[3]) + row(C.t.sealed, b[4]) +
        row(C.t.left, b[6]) + "</table><div class=\"cb-tip-hint\">" + C.t.click_block + "</div>";
      shape.bindTooltip(tip, {sticky: true, className: "cb-tip"});
    }
    shape.addTo(map);
    var el = L.DomUtil.create("div", "cb-label", labelPane);
    el.innerHTML = "<b>" + b[1] + "</b><span> · " + b[4] + "</span>";
    el.setAttribute("data-block", b[0]);
    if (C.block_click) {
      el.classList.add("cb-label-click");
      L.DomEvent.on(el, "click", function (e) {
        L.DomEvent.stop(e);
        var sub = shape.getLayers()[0];
        shape.fire("click", {latlng: sub.getBounds().getCenter(), layer: sub, sourceTarget: sub});
      });
    }
    labels.push({el: el, bounds: shape.getBounds()});
  });
  // Households, coloured by their stage on the as-of day.
  if (!cityView && P.h.length) {
    var records = new Map();
    var features = P.h.map(function (r) {
      var feature = {type: "Feature", properties: {hh: r[0]}, geometry: geometry(r[7])};
      records.set(feature, r);
      return feature;
    });
    var houseTip = function (r) {
      var rows = row(C.t.owner, r[1]) + row(C.t.address, r[2]) +
        row(C.t.ptype, C.ptypes[P.p[r[3]]] || P.p[r[3]]) +
        row(C.t.stage, dot(C.colours[r[4]]) + C.stages[r[4]]);
      if (r[5] !== null) rows += row(C.t.unsigned, C.t.unsigned_days.replace("{n}", r[5]));
      if (r[6] >= 0) rows += row(C.t.team, P.t[r[6]]);
      return '<div class="cb-tip-title">' + r[0] + "</div><table>" + rows + "</table>";
    };
    var houses = L.geoJSON({type: "FeatureCollection", features: features}, {
      style: function (f) {
        return {color: C.outline, weight: 0.6, fillColor: C.colours[records.get(f)[4]], fillOpacity: 0.88};
      }
    });
    // One tooltip and one pair of hover handlers for the whole layer, not one per house.
    houses.bindTooltip(function (layer) { return houseTip(records.get(layer.feature)); }, {sticky: true, className: "cb-tip"});
    houses.on("mouseover", function (e) { e.layer.setStyle({weight: 2.5}); });
    houses.on("mouseout", function (e) { e.layer.setStyle({weight: 0.6}); });
    houses.addTo(map);
  }

  // Legend: stages with their counts, or the sealing-rate classes.
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "cb-legend");
    div.innerHTML = '<div class="cb-legend-title">' + C.legend.title + "</div>" +
      C.legend.items.map(function (item) {
        return '<div><span class="cb-swatch" style="background:' + item[0] + '"></span>' + item[1] +
          (item[2] === null ? "" : ' <b class="cb-count">' + item[2] + "</b>") + "</div>";
      }).join("");
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo(map);

  // Labels: each goes beside its block (above if it can, else below, right, left, or inside),
  // always inside the frame, at the place that clears the labels placed before it and the
  // map's controls, then the other blocks. Worst block first (B's order), so the block with
  // most left keeps the best place.
  var MARGIN = 4;
  function overlaps(a, r) {
    return a.x < r.x + r.w && r.x < a.x + a.w && a.y < r.y + r.h && r.y < a.y + a.h;
  }
  function count(r, list) {
    return list.filter(function (o) { return overlaps(r, o); }).length;
  }
  function placeLabels() {
    var W = box.clientWidth, H = box.clientHeight, mapBox = box.getBoundingClientRect();
    var taken = [];
    box.querySelectorAll(".leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.width && r.height) taken.push({x: r.left - mapBox.left, y: r.top - mapBox.top, w: r.width, h: r.height});
    });
    var shapes = labels.map(function (item) {
      var nw = map.latLngToContainerPoint(item.bounds.getNorthWest());
      var se = map.latLngToContainerPoint(item.bounds.getSouthEast());
      return {x: nw.x, y: nw.y, w: se.x - nw.x, h: se.y - nw.y};
    });
    var shown = 0;
    labels.forEach(function (item, i) {
      var el = item.el, b = shapes[i], gap = 3;
      // A block outside the frame (say, a finished one when only what is left is shown) keeps no label.
      var inView = b.x < W && b.x + b.w > 0 && b.y < H && b.y + b.h > 0;
      el.style.display = inView ? "" : "none";
      if (!inView) return;
      shown += 1;
      var w = el.offsetWidth, h = el.offsetHeight;
      var cx = b.x + b.w / 2, cy = b.y + b.h / 2;
      var others = shapes.filter(function (_, j) { return j !== i; });
      var spots = [
        [cx - w / 2, b.y - h - gap], [cx - w / 2, b.y + b.h + gap],
        [b.x + b.w + gap, cy - h / 2], [b.x - w - gap, cy - h / 2],
        [b.x, b.y - h - gap], [b.x + b.w - w, b.y - h - gap],
        [b.x, b.y + b.h + gap], [b.x + b.w - w, b.y + b.h + gap],
        [cx - w / 2, cy - h / 2]
      ];
      var best = null, bestCost = Infinity;
      spots.forEach(function (p, k) {
        // Slide along the frame's edge rather than leave it.
        var r = {x: Math.max(MARGIN, Math.min(W - w - MARGIN, p[0])), y: Math.max(MARGIN, Math.min(H - h - MARGIN, p[1])), w: w, h: h};
        var cost = 100 * count(r, taken) + 10 * count(r, others) + (overlaps(r, b) ? 1 : 0) + k * 0.01;
        if (cost < bestCost) { best = r; bestCost = cost; }
      });
      el.style.left = Math.round(best.x) + "px";
      el.style.top = Math.round(best.y) + "px";
      el.classList.toggle("cb-label-crowded", bestCost >= 100);
      taken.push(best);
    });
    box.setAttribute("data-labels", String(shown));
  }

  // Basemap tiles, added once the view is set so no tile is fetched twice. Tiles that
  // cannot load (an intranet, no network): drop them; the desk says so, the wall stays clean.
  var fitAndTile = function () {
    map.options.zoomSnap = 0;  // fill the frame exactly; +/- still step whole levels
    // Keep the legend off the houses where the map is wide enough to spare its width,
    // and leave a label's height above the top blocks.
    // (leaflet.css may not have applied yet, so the legend's width is C's estimate, not measured).
    var right = box.clientWidth > 640 ? C.legend_px + 24 : 12;
    var top = 12 + (labels.length ? labels[0].el.offsetHeight : 0);
    map.fitBounds(C.bounds, {paddingTopLeft: [12, top], paddingBottomRight: [right, 12], maxZoom: C.max_fit_zoom});
    var tiles = C.tiles.map(function (spec) {
      return L.tileLayer(spec.url, {
        attribution: spec.attribution, subdomains: spec.subdomains,
        maxNativeZoom: spec.max_native_zoom, maxZoom: C.max_zoom
      }).addTo(map);
    });
    if (!tiles.length) return;
    var loaded = 0, failed = 0, fellBack = false;
    var fallBack = function () {
      if (fellBack || loaded > 0) return;
      fellBack = true;
      tiles.forEach(function (layer) { map.removeLayer(layer); });
      box.setAttribute("data-basemap", "none");
      console.warn("cb-map: basemap tiles cannot load; showing no basemap");
      if (!C.tile_notice) return;
      var note = L.control({position: "topright"});
      note.onAdd = function () {
        var div = L.DomUtil.create("div", "cb-notice");
        div.innerHTML = C.t.tiles_failed;
        return div;
      };
      note.addTo(map);
      placeLabels();
    };
    tiles.forEach(function (layer) {
      layer.on("tileload", function () { loaded += 1; });
      layer.on("tileerror", function () { failed += 1; if (failed >= 3) fallBack(); });
    });
    setTimeout(fallBack, C.tile_timeout_ms);
  };

  map.on("move zoom resize", placeLabels);
  fitAndTile();
  placeLabels();
  // Fonts and leaflet.css can land after the first pass and change sizes: place again.
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(placeLabels);
  window.addEventListener("load", placeLabels);
  performance.mark("cb-map-drawn");  // read by the benchmark
})
