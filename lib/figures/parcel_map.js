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
  var cityView = C.mode === "blocks";
  B.forEach(function (b) {
    var shape = L.geoJSON({type: "Feature", properties: {block: b[0]}, geometry: geometry(b[7])}, {
      interactive: cityView,
      style: cityView
        ? {color: C.outline, weight: 1.5, fillColor: b[5], fillOpacity: 0.8}
        : {color: C.outline, weight: 2, dashArray: "6 4", fill: false}
    });
    if (cityView) {
      shape.bindTooltip(
        '<div class="cb-tip-title">' + b[1] + "</div><table>" +
          row(C.t.households, b[2]) + row(C.t.signed, b[3]) + row(C.t.sealed, b[4]) +
          row(C.t.left, b[6]) + "</table><div class=\"cb-tip-hint\">" + C.t.click_block + "</div>",
        {sticky: true, className: "cb-tip"}
      );
    }
    shape.addTo(map);
    L.marker([b[8][1] / 1e6, b[8][0] / 1e6], {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({className: "cb-label", iconSize: null, html: "<span>" + b[1] + " · " + b[4] + "</span>"})
    }).addTo(map);
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

  // Basemap tiles, added once the view is set so no tile is fetched twice. Tiles that
  // cannot load (an intranet, no network): drop them and say so.
  var fitAndTile = function () {
    map.options.zoomSnap = 0.25;  // fill the frame; +/- still step whole levels
    // Keep the legend off the houses where the map is wide enough to spare its width.
    // (leaflet.css may not have applied yet, so the legend's width is C's estimate, not measured).
    var right = box.clientWidth > 640 ? C.legend_px + 24 : 16;
    map.fitBounds(C.bounds, {paddingTopLeft: [16, 16], paddingBottomRight: [right, 16], maxZoom: C.max_fit_zoom});
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
      // The wall screen falls back silently (kiosk: no permanent notices); the desk is told.
      if (C.kiosk) { console.warn("basemap tiles cannot load; showing no basemap"); return; }
      var note = L.control({position: "topright"});
      note.onAdd = function () {
        var div = L.DomUtil.create("div", "cb-notice");
        div.innerHTML = C.t.tiles_failed;
        return div;
      };
      note.addTo(map);
      box.setAttribute("data-basemap", "none");
    };
    tiles.forEach(function (layer) {
      layer.on("tileload", function () { loaded += 1; });
      layer.on("tileerror", function () { failed += 1; if (failed >= 3) fallBack(); });
    });
    setTimeout(fallBack, C.tile_timeout_ms);
  };

  // Block labels only when zoomed in far enough to read them.
  var labelsByZoom = function () { box.classList.toggle("cb-far", map.getZoom() < C.label_zoom); };
  map.on("zoomend", labelsByZoom);
  fitAndTile();
  labelsByZoom();
  performance.mark("cb-map-drawn");  // read by the benchmark
})
