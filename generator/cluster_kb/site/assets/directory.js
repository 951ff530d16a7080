// The cluster directory on /clusters/: filters by territory, sector, decalogue element and edition,
// and by name, over data/directory.json (see cluster_kb/outputs/directory.py for its format).
//
// AND across facets, OR within one; a territory includes its regions and cities. Every option shows
// how many clusters ticking it would leave. The state lives in the URL query (?territory=colombia&
// sector=textiles&q=...), each change is a history entry, and the back button steps back through them.
// Record text only ever goes in as text (textContent, createTextNode), never as HTML.
(function () {
  "use strict";

  var FACETS = ["territory", "sector", "principle", "edition"];
  var TABLES = { territory: "territories", sector: "sectors", principle: "principles", edition: "editions" };
  var STEP = 100;
  var NARROW = "(max-width: 44.9375em)";
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  var LETTERS = { "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "þ": "th", "ð": "d" };

  // Lowercase, without accents: "Bogotá" and "BOGOTA" both give "bogota".
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(MARKS, "")
      .toLowerCase()
      .replace(/[øæœßłđħıþð]/g, function (c) { return LETTERS[c]; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function Directory(root, data, lang) {
    var self = this;
    this.root = root;
    this.lang = lang;
    this.number = new Intl.NumberFormat(lang);
    this.plural = new Intl.PluralRules(lang);
    this.collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });
    this.base = root.getAttribute("data-cluster-base") || "";
    this.form = root.querySelector(".kb-dir-form");
    this.input = root.querySelector(".kb-dir-q");
    this.status = root.querySelector(".kb-dir-status");
    this.list = root.querySelector(".kb-dir-results");
    this.shownLine = root.querySelector(".kb-dir-shown");
    this.more = root.querySelector(".kb-dir-more");
    this.active = root.querySelector(".kb-dir-active");
    this.typing = false;
    this.typingTimer = 0;

    // Tables: names picked once in the page's language, ids indexed.
    this.tables = {};
    FACETS.forEach(function (facet) {
      var table = data[TABLES[facet]];
      var index = Object.create(null);
      table.id.forEach(function (id, i) { index[id] = i; });
      self.tables[facet] = {
        id: table.id,
        name: table.name.map(function (n) { return self.pick(n); }),
        index: index,
        extra: table.number || table.year || null,
        parent: table.parent || null
      };
    });

    // Each territory's chain: itself, then its ancestors (a country finds its regions' clusters).
    var parents = this.tables.territory.parent;
    var chains = parents.map(function (p, i) {
      var chain = [i];
      var seen = {};
      seen[i] = true;
      while (p !== null && p !== undefined && !seen[p]) {
        chain.push(p);
        seen[p] = true;
        p = parents[p];
      }
      return chain;
    });

    var c = data.clusters;
    this.count = c.id.length;
    this.ids = c.id;
    this.names = c.name.map(function (n) { return self.pick(n); });
    this.keys = c.name.map(function (n) {
      return fold(typeof n === "string" ? n : Object.keys(n).map(function (k) { return n[k]; }).join("\n"));
    });
    this.territoryOf = c.territory;
    this.values = {
      territory: c.territory.map(function (t) { return chains[t]; }),
      sector: c.sectors,
      principle: c.principles,
      edition: c.editions
    };
    // Results in name order, in the page's language.
    this.order = this.ids.map(function (id, i) { return i; });
    this.order.sort(function (a, b) {
      return self.collator.compare(self.names[a][0], self.names[b][0]) || (self.ids[a] < self.ids[b] ? -1 : 1);
    });

    this.selected = {};
    this.query = "";
    this.buildOptions();
    this.readState();
    this.bind();
    this.update();

    var hidden = document.getElementById(root.getAttribute("data-static") || "kb-directory-static");
    if (hidden) {
      hidden.hidden = true;
      hidden.style.display = "none";
    }
    root.hidden = false;
    if (window.matchMedia && window.matchMedia(NARROW).matches) {
      root.querySelector(".kb-dir-panel").open = false;
    }
  }

  // [text, its language]: the page's language if written, else the first one (the record's own, then en).
  Directory.prototype.pick = function (name) {
    if (typeof name === "string") return [name, "en"];
    if (Object.prototype.hasOwnProperty.call(name, this.lang)) return [name[this.lang], this.lang];
    var first = Object.keys(name)[0];
    return [name[first], first];
  };

  // Text in the page's language as a text node; in another language inside a span with its lang.
  Directory.prototype.text = function (picked) {
    if (picked[1] === this.lang) return document.createTextNode(picked[0]);
    var span = el("span", "", picked[0]);
    span.lang = picked[1];
    return span;
  };

  Directory.prototype.label = function (key) {
    return this.root.getAttribute("data-label-" + key) || "";
  };

  // -- the options -----------------------------------------------------------------------------

  Directory.prototype.optionText = function (facet, i) {
    var table = this.tables[facet];
    var picked = table.name[i];
    if (facet === "principle" && table.extra) return [table.extra[i] + ". " + picked[0], picked[1]];
    if (facet === "edition" && table.extra && table.extra[i] !== null) return [table.extra[i] + " · " + picked[0], picked[1]];
    return picked;
  };

  Directory.prototype.byName = function (facet) {
    var self = this;
    var table = this.tables[facet];
    return function (a, b) {
      return self.collator.compare(table.name[a][0], table.name[b][0]) || (table.id[a] < table.id[b] ? -1 : 1);
    };
  };

  Directory.prototype.buildOptions = function () {
    var self = this;
    this.boxes = {};
    this.counts = {};
    FACETS.forEach(function (facet) {
      var table = self.tables[facet];
      var container = self.root.querySelector('.kb-dir-facet[data-facet="' + facet + '"] .kb-dir-options');
      self.boxes[facet] = [];
      self.counts[facet] = [];
      self.selected[facet] = new Set();
      var all = table.id.map(function (id, i) { return i; });
      var list;
      if (facet === "territory") {
        var children = all.map(function () { return []; });
        var roots = [];
        all.forEach(function (i) {
          var p = table.parent[i];
          if (p === null || p === undefined || p === i) roots.push(i);
          else children[p].push(i);
        });
        var placed = {};
        var tree = function (items) {
          var ul = el("ul", "kb-dir-tree");
          items.sort(self.byName(facet)).forEach(function (i) {
            if (placed[i]) return;
            placed[i] = true;
            var li = self.option(facet, i);
            if (children[i].length) li.appendChild(tree(children[i]));
            ul.appendChild(li);
          });
          return ul;
        };
        list = tree(roots);
        // Territories in a parent cycle (never valid data): listed flat at the end.
        all.forEach(function (i) { if (!placed[i]) list.appendChild(self.option(facet, i)); });
      } else {
        list = el("ul", "kb-dir-list");
        var sorted = all.slice();
        if (facet === "sector") sorted.sort(self.byName(facet));
        else {
          sorted.sort(function (a, b) {
            var x = table.extra ? table.extra[a] : null;
            var y = table.extra ? table.extra[b] : null;
            if (x !== y) return x === null ? 1 : y === null ? -1 : x - y;
            return self.byName(facet)(a, b);
          });
        }
        sorted.forEach(function (i) { list.appendChild(self.option(facet, i)); });
      }
      container.appendChild(list);
    });
  };

  Directory.prototype.option = function (facet, i) {
    var li = el("li", "kb-dir-option");
    var label = el("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = facet;
    box.value = this.tables[facet].id[i];
    box.setAttribute("data-index", String(i));
    var name = el("span", "kb-dir-name");
    name.appendChild(this.text(this.optionText(facet, i)));
    var count = el("span", "kb-dir-count");
    label.appendChild(box);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(name);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(count);
    li.appendChild(label);
    this.boxes[facet][i] = box;
    this.counts[facet][i] = count;
    return li;
  };

  // -- the state and the URL -------------------------------------------------------------------

  Directory.prototype.readState = function () {
    var self = this;
    var params = new URLSearchParams(window.location.search);
    FACETS.forEach(function (facet) {
      var chosen = new Set();
      params.getAll(facet).forEach(function (value) {
        value.split(",").forEach(function (id) {
          var i = self.tables[facet].index[id.trim()];
          if (i !== undefined) chosen.add(i);
        });
      });
      self.selected[facet] = chosen;
      self.boxes[facet].forEach(function (box, i) { box.checked = chosen.has(i); });
    });
    this.query = (params.get("q") || "").trim();
    this.input.value = params.get("q") || "";
  };

  Directory.prototype.url = function () {
    var self = this;
    var params = new URLSearchParams(window.location.search);
    FACETS.forEach(function (facet) { params.delete(facet); });
    params.delete("q");
    FACETS.forEach(function (facet) {
      var table = self.tables[facet];
      Array.from(self.selected[facet])
        .map(function (i) { return table.id[i]; })
        .sort()
        .forEach(function (id) { params.append(facet, id); });
    });
    if (this.input.value.trim()) params.set("q", this.input.value.trim());
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + window.location.hash;
  };

  // A filter change is one history entry; a burst of typing in the name box is one too.
  Directory.prototype.remember = function (typing) {
    var url = this.url();
    var current = window.location.pathname + window.location.search + window.location.hash;
    if (typing && this.typing) {
      if (url !== current) window.history.replaceState({ kbDirectory: true }, "", url);
    } else if (url !== current) {
      window.history.pushState({ kbDirectory: true }, "", url);
    }
    this.typing = typing;
    clearTimeout(this.typingTimer);
    if (typing) {
      var self = this;
      this.typingTimer = setTimeout(function () { self.typing = false; }, 1000);
    }
  };

  Directory.prototype.bind = function () {
    var self = this;
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.form.addEventListener("change", function (event) {
      var box = event.target;
      if (!box || box.type !== "checkbox") return;
      var facet = box.name;
      var i = Number(box.getAttribute("data-index"));
      if (box.checked) self.selected[facet].add(i);
      else self.selected[facet].delete(i);
      self.remember(false);
      self.update();
    });
    this.input.addEventListener("input", function () {
      self.query = self.input.value.trim();
      self.remember(true);
      self.update();
    });
    this.input.addEventListener("change", function () { self.typing = false; });
    this.root.querySelector(".kb-dir-clear").addEventListener("click", function () {
      FACETS.forEach(function (facet) {
        self.selected[facet].clear();
        self.boxes[facet].forEach(function (box) { box.checked = false; });
      });
      self.input.value = "";
      self.query = "";
      self.remember(false);
      self.update();
    });
    this.more.addEventListener("click", function () { self.showMore(); });
    window.addEventListener("popstate", function () {
      self.typing = false;
      self.readState();
      self.update();
    });
  };

  // -- filtering -------------------------------------------------------------------------------

  Directory.prototype.matches = function (facet, c) {
    var chosen = this.selected[facet];
    if (!chosen.size) return true;
    var values = this.values[facet][c];
    for (var k = 0; k < values.length; k++) if (chosen.has(values[k])) return true;
    return false;
  };

  Directory.prototype.update = function () {
    var self = this;
    var words = fold(this.query).split(/\s+/).filter(Boolean);
    var tallies = {};
    FACETS.forEach(function (facet) { tallies[facet] = new Array(self.tables[facet].id.length).fill(0); });
    var results = [];
    for (var n = 0; n < this.order.length; n++) {
      var c = this.order[n];
      if (words.length) {
        var key = this.keys[c];
        var found = true;
        for (var w = 0; w < words.length && found; w++) found = key.indexOf(words[w]) !== -1;
        if (!found) continue;
      }
      var missed = null;
      var misses = 0;
      for (var f = 0; f < FACETS.length && misses < 2; f++) {
        if (!this.matches(FACETS[f], c)) {
          misses++;
          missed = FACETS[f];
        }
      }
      if (misses === 0) {
        results.push(c);
        // Counts in a facet with nothing ticked: the clusters that have the option.
        for (f = 0; f < FACETS.length; f++) {
          if (!this.selected[FACETS[f]].size) this.tally(tallies[FACETS[f]], FACETS[f], c);
        }
      } else if (misses === 1) {
        // Fails only this facet: ticking one of its options would bring it in.
        this.tally(tallies[missed], missed, c);
      }
    }
    FACETS.forEach(function (facet) {
      var extra = self.selected[facet].size ? results.length : 0;
      self.counts[facet].forEach(function (span, i) {
        var total = tallies[facet][i] + extra;
        span.textContent = "(" + self.number.format(total) + ")";
        span.parentNode.parentNode.classList.toggle("kb-dir-zero", total === 0);
      });
    });
    var active = this.query ? 1 : 0;
    FACETS.forEach(function (facet) { active += self.selected[facet].size; });
    this.active.textContent = active ? " (" + this.number.format(active) + ")" : "";
    this.results = results;
    this.list.textContent = "";
    this.shown = 0;
    this.render(STEP);
    this.status.textContent = results.length
      ? fill(this.label("results-" + this.plural.select(results.length)) || this.label("results-other"), {
        count: this.number.format(results.length)
      })
      : this.label("no-results");
  };

  Directory.prototype.tally = function (tally, facet, c) {
    var values = this.values[facet][c];
    for (var k = 0; k < values.length; k++) tally[values[k]]++;
  };

  // -- the results -----------------------------------------------------------------------------

  Directory.prototype.render = function (step) {
    var end = Math.min(this.results.length, this.shown + step);
    var fragment = document.createDocumentFragment();
    var first = null;
    for (var n = this.shown; n < end; n++) {
      var li = this.result(this.results[n]);
      if (!first) first = li;
      fragment.appendChild(li);
    }
    this.list.appendChild(fragment);
    this.shown = end;
    var left = this.results.length - end;
    this.more.hidden = left <= 0;
    this.more.textContent = fill(this.label("show-more"), { count: this.number.format(Math.min(STEP, left)) });
    this.shownLine.textContent = left > 0
      ? fill(this.label("shown"), { shown: this.number.format(end), total: this.number.format(this.results.length) })
      : "";
    return first;
  };

  Directory.prototype.showMore = function () {
    var first = this.render(STEP);
    var link = first && first.querySelector("a");
    if (link) link.focus();
  };

  Directory.prototype.result = function (c) {
    var self = this;
    var li = el("li", "kb-dir-result");
    var a = el("a");
    a.href = this.base + encodeURIComponent(this.ids[c]) + "/";
    a.appendChild(this.text(this.names[c]));
    li.appendChild(a);
    li.appendChild(document.createTextNode(" ("));
    li.appendChild(this.text(this.tables.territory.name[this.territoryOf[c]]));
    li.appendChild(document.createTextNode(")"));
    var sectors = this.values.sector[c];
    if (sectors.length) {
      li.appendChild(document.createTextNode(" · "));
      sectors
        .slice()
        .sort(this.byName("sector"))
        .forEach(function (s, k) {
          if (k) li.appendChild(document.createTextNode(", "));
          li.appendChild(self.text(self.tables.sector.name[s]));
        });
    }
    return li;
  };

  // -- start -----------------------------------------------------------------------------------

  function start() {
    var root = document.getElementById("kb-directory");
    if (!root || root.getAttribute("data-started")) return;
    root.setAttribute("data-started", "1");
    var lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    fetch(root.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        root.directory = new Directory(root, data, lang);
        root.setAttribute("data-ready", "1");
      })
      .catch(function (error) {
        // The server-rendered list stays; say why there are no filters.
        root.querySelector(".kb-dir-form").hidden = true;
        root.querySelector(".kb-dir-results").hidden = true;
        root.querySelector(".kb-dir-status").textContent = root.getAttribute("data-label-load-error") || "";
        root.hidden = false;
        root.setAttribute("data-ready", "error");
        if (window.console) window.console.error("cluster directory:", error);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
