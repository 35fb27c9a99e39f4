// Automatic map layout. treeLayout draws the dependency tree from the
// vantage point (breadth first along links, so every item sits under the
// item its shortest path from the vantage point goes through); items the
// tree does not reach form their own trees beside it. placeUnplaced puts
// items without a position next to a placed neighbour. Both are O(items +
// links), so a 1,000-device map lays out instantly.
//
// Nodes are {name, w, h, x, y}; edges are {from, to}; positions are centres.

const GAP_X = 28; // between sibling blocks
const GAP_Y = 64; // between a parent and its children
const MARGIN = 60; // from the map origin; (0,0) means "no position"
const GRID_MIN = 6; // from this many leaf children on, they form a grid

function graph(nodes, edges) {
  const adj = new Map(nodes.map((n) => [n.name, []]));
  for (const e of edges) {
    if (e.from === e.to || !adj.has(e.from) || !adj.has(e.to)) continue;
    adj.get(e.from).push(e.to);
    adj.get(e.to).push(e.from);
  }
  for (const list of adj.values()) list.sort();
  return adj;
}

// treeLayout returns Map name → {x, y} for every node.
export function treeLayout(nodes, edges, rootName) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const adj = graph(nodes, edges);
  const children = new Map();
  const trees = [];
  const singles = [];
  const sizes = new Map();
  for (const comp of components(nodes, adj)) {
    const root = comp.includes(rootName) ? rootName : centre(comp, adj);
    // Breadth first: each item hangs under the item its shortest path
    // from the root passes through.
    const seen = new Set([root]);
    children.set(root, []);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i];
      for (const v of adj.get(u)) {
        if (seen.has(v)) continue;
        seen.add(v);
        children.get(u).push(v);
        children.set(v, []);
        queue.push(v);
      }
    }
    if (comp.length === 1 && root !== rootName) singles.push(root);
    else trees.push(root);
    sizes.set(root, comp.length);
  }
  // The vantage point's tree first, then the larger trees.
  trees.sort((a, b) => (a === rootName ? -1 : b === rootName ? 1 : sizes.get(b) - sizes.get(a) || a.localeCompare(b)));

  // Measure every subtree bottom-up (iteratively: maps can be deep chains).
  const size = new Map();
  const blocks = new Map(); // name → {rows: [{items: [{b: tree or grid block, w, h}], w, h}], cw, chh}
  const post = [];
  for (const r of trees) {
    const stack = [r];
    while (stack.length) {
      const u = stack.pop();
      post.push(u);
      for (const c of children.get(u)) stack.push(c);
    }
  }
  for (let i = post.length - 1; i >= 0; i--) {
    const u = post[i];
    const node = byName.get(u);
    const kids = children.get(u);
    const leaves = kids.filter((k) => children.get(k).length === 0);
    // A node's leaves stay together: one row, or a grid when there are many.
    const list = [];
    if (leaves.length) list.push(gridBlock(leaves, byName, leaves.length >= GRID_MIN ? 10 : leaves.length));
    for (const k of kids) if (children.get(k).length > 0) list.push({ kind: 'tree', name: k });
    const rows = wrapRows(list.map((b) => ({ b, ...(b.kind === 'tree' ? size.get(b.name) : { w: b.w, h: b.h }) })));
    let cw = 0;
    let chh = 0;
    for (const r of rows) {
      cw = Math.max(cw, r.w);
      chh += r.h;
    }
    if (rows.length) chh += GAP_Y * (rows.length - 1);
    blocks.set(u, { rows, cw, chh });
    size.set(u, { w: Math.max(node.w, cw), h: node.h + (rows.length ? GAP_Y + chh : 0) });
  }

  const pos = new Map();
  const placeTree = (root, left, top) => {
    const stack = [[root, left, top]];
    while (stack.length) {
      const [u, l, t] = stack.pop();
      const node = byName.get(u);
      const sz = size.get(u);
      pos.set(u, { x: l + sz.w / 2, y: t + node.h / 2 });
      let y = t + node.h + GAP_Y;
      for (const row of blocks.get(u).rows) {
        let x = l + (sz.w - row.w) / 2;
        for (const { b, w } of row.items) {
          if (b.kind === 'tree') stack.push([b.name, x, y]);
          else placeGrid(b, x, y, pos);
          x += w + GAP_X;
        }
        y += row.h + GAP_Y;
      }
    }
  };

  // Trees side by side, wrapping into rows; unlinked items in a grid below.
  const maxRow = Math.max(1600, ...trees.map((t) => size.get(t).w));
  let x = MARGIN;
  let y = MARGIN;
  let rowH = 0;
  for (const t of trees) {
    const sz = size.get(t);
    if (x > MARGIN && x + sz.w > MARGIN + maxRow) {
      x = MARGIN;
      y += rowH + GAP_Y * 1.5;
      rowH = 0;
    }
    placeTree(t, x, y);
    x += sz.w + GAP_X * 3;
    rowH = Math.max(rowH, sz.h);
  }
  if (singles.length) {
    const g = gridBlock(singles, byName, Math.max(4, Math.floor(maxRow / 150)));
    placeGrid(g, MARGIN, trees.length ? y + rowH + GAP_Y * 1.5 : MARGIN, pos);
  }
  return pos;
}

// wrapRows lays sibling blocks ({w, h}) out in rows, so a node with many
// subtrees grows towards a screen's shape instead of one very wide row.
const ASPECT = 1.8;
function wrapRows(items) {
  if (!items.length) return [];
  let total = 0;
  let area = 0;
  let widest = 0;
  for (const it of items) {
    total += it.w + GAP_X;
    area += (it.w + GAP_X) * (it.h + GAP_Y);
    widest = Math.max(widest, it.w);
  }
  const limit = Math.max(widest, Math.sqrt(area * ASPECT), 900);
  const rows = [];
  let row = null;
  for (const it of items) {
    if (!row || (row.items.length && row.w + GAP_X + it.w > limit && total > limit)) {
      row = { items: [], w: 0, h: 0 };
      rows.push(row);
    }
    row.w += (row.items.length ? GAP_X : 0) + it.w;
    row.h = Math.max(row.h, it.h);
    row.items.push(it);
  }
  return rows;
}

// components returns the connected components, each a list of names.
function components(nodes, adj) {
  const seen = new Set();
  const out = [];
  for (const n of nodes) {
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    const comp = [n.name];
    for (let i = 0; i < comp.length; i++) {
      for (const v of adj.get(comp[i])) {
        if (!seen.has(v)) {
          seen.add(v);
          comp.push(v);
        }
      }
    }
    out.push(comp);
  }
  return out;
}

// centre picks the item with the smallest eccentricity (the fewest hops to
// the farthest item), preferring well-connected items; large components use
// the best-connected item, which is close enough and O(items).
function centre(comp, adj) {
  const byDegree = [...comp].sort((a, b) => adj.get(b).length - adj.get(a).length || a.localeCompare(b));
  if (comp.length > 400) return byDegree[0];
  let best = byDegree[0];
  let bestEcc = Infinity;
  for (const start of byDegree) {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    let ecc = 0;
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i];
      const du = dist.get(u);
      ecc = Math.max(ecc, du);
      if (ecc >= bestEcc) break;
      for (const v of adj.get(u)) {
        if (!dist.has(v)) {
          dist.set(v, du + 1);
          queue.push(v);
        }
      }
    }
    if (ecc < bestEcc) {
      bestEcc = ecc;
      best = start;
    }
  }
  return best;
}

function gridBlock(names, byName, maxCols = 10) {
  const cols = names.length < GRID_MIN ? names.length : Math.max(1, Math.min(maxCols, Math.ceil(Math.sqrt(names.length * 2.5))));
  const rows = Math.ceil(names.length / cols);
  let cw = 0;
  let ch = 0;
  for (const n of names) {
    cw = Math.max(cw, byName.get(n).w);
    ch = Math.max(ch, byName.get(n).h);
  }
  cw += GAP_X / 2;
  ch += 18;
  return { kind: 'grid', names, cols, cw, ch, w: cols * cw, h: rows * ch };
}

function placeGrid(g, left, top, pos) {
  g.names.forEach((n, i) => {
    const c = i % g.cols;
    const r = Math.floor(i / g.cols);
    pos.set(n, { x: left + c * g.cw + g.cw / 2, y: top + r * g.ch + g.ch / 2 });
  });
}

// placeUnplaced returns positions for the nodes with placed === false,
// near a placed neighbour where there is one and in a grid below the
// placed items otherwise. Placed nodes keep their positions.
export function placeUnplaced(nodes, edges) {
  const placed = nodes.filter((n) => n.placed);
  if (placed.length === 0) return treeLayout(nodes, edges, nodes.find((n) => n.vantage)?.name);
  const adj = graph(nodes, edges);
  const pos = new Map(placed.map((n) => [n.name, { x: n.x, y: n.y }]));
  const slots = new Map(); // anchor → how many placed beneath it so far
  let pending = nodes.filter((n) => !n.placed);
  for (let progress = true; progress && pending.length; ) {
    progress = false;
    const rest = [];
    for (const n of pending) {
      const anchor = adj.get(n.name).find((v) => pos.has(v));
      if (!anchor) {
        rest.push(n);
        continue;
      }
      const i = slots.get(anchor) || 0;
      slots.set(anchor, i + 1);
      const a = pos.get(anchor);
      const cols = 5;
      const c = i % cols;
      const r = Math.floor(i / cols);
      pos.set(n.name, { x: a.x + (c - (cols - 1) / 2) * 130, y: a.y + 80 + r * 48 });
      progress = true;
    }
    pending = rest;
  }
  if (pending.length) {
    let minX = Infinity;
    let maxY = -Infinity;
    for (const p of pos.values()) {
      minX = Math.min(minX, p.x);
      maxY = Math.max(maxY, p.y);
    }
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const g = gridBlock(pending.map((n) => n.name), byName);
    placeGrid(g, Math.max(MARGIN, minX - 60), maxY + 90, pos);
  }
  return pos;
}
