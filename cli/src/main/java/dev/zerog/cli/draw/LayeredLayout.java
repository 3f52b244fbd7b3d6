package dev.zerog.cli.draw;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A layered (Sugiyama-style) top-to-bottom layout of a {@link DrawGraph}, in four steps, each linear or close to it
 * in the size of the graph, so that a net of a few thousand ops is laid out in about a second:
 *
 * <ol>
 *   <li><b>Layers.</b> Longest path from the sources, so every edge points down; then, from the sinks up, a node
 *       that reads nothing or has more edges out than in moves down to just above its first reader (a parameter
 *       sits above the op that reads it, not at the top of the drawing).
 *   <li><b>Order within layers.</b> Edges longer than one layer go through a dummy node per layer crossed. Layers
 *       start in the order the ops run, then barycenter sweeps, down and up, reorder them; the order with the
 *       fewest crossings (counted exactly) is kept.
 *   <li><b>Coordinates.</b> Each sweep places a layer's nodes as close as they can be to the mean of their
 *       neighbors' x in the layer before, keeping their order and a gap between them: a weighted isotonic
 *       regression, solved exactly by pooling adjacent violators. Chains of dummies weigh more, so long edges run
 *       straight.
 *   <li><b>Edges.</b> Each edge leaves its source at the bottom and enters its target at the top, spread across
 *       the node's width in the order of their other ends, and passes through its dummies' positions.
 * </ol>
 */
final class LayeredLayout {
  /** Vertical space between two layers, where the edges run. */
  static final double LAYER_GAP = 36;
  /** Horizontal space between two nodes of a layer. */
  static final double NODE_GAP = 22;
  /** Horizontal space beside a dummy node (a long edge passing through a layer). */
  static final double DUMMY_GAP = 9;
  /** The margin around the drawing. */
  static final double MARGIN = 24;

  /**
   * Where everything is.
   *
   * @param x each node's center, by node id
   * @param y each node's center, by node id
   * @param layer each node's layer (0 at the top)
   * @param routes each edge's route, in the order of {@link DrawGraph#edges()}
   * @param width the width of the laid-out graph, margins included
   * @param height the height of the laid-out graph, margins included
   * @param layers the number of layers
   * @param crossings the number of edge crossings between layers (through dummies)
   */
  record Layout(double[] x, double[] y, int[] layer, List<Route> routes, double width, double height, int layers,
      long crossings) {}

  /**
   * The points an edge passes through, from its source's bottom to its target's top: between two points at the
   * same x it runs straight, otherwise it curves, leaving and arriving vertically.
   *
   * @param xs the points' x
   * @param ys the points' y
   */
  record Route(double[] xs, double[] ys) {}

  private final DrawGraph graph;
  private final int n;
  private int[] layer;
  /** Per virtual node (real nodes first, then dummies): its layer, width, and neighbors one layer up and down. */
  private int[] vlayer;
  private double[] vwidth;
  private int[][] up;
  private int[][] down;
  private int virtualCount;
  /** Per edge, the virtual nodes it passes through, source and target included. */
  private int[][] chains;
  private int[][] layers;
  private double[] x;

  private LayeredLayout(DrawGraph graph) {
    this.graph = graph;
    this.n = graph.nodes().size();
  }

  /** Lays out {@code graph}. */
  static Layout of(DrawGraph graph) {
    LayeredLayout l = new LayeredLayout(graph);
    l.assignLayers();
    l.insertDummies();
    long crossings = l.orderLayers();
    l.placeHorizontally();
    return l.finish(crossings);
  }

  /** The layer of each node of {@code graph}, as the layout assigns them. */
  static int[] layers(DrawGraph graph) {
    LayeredLayout l = new LayeredLayout(graph);
    l.assignLayers();
    return l.layer;
  }

  private void assignLayers() {
    int[][] outs = adjacency(true);
    int[][] ins = adjacency(false);
    int[] order = topologicalOrder(outs, ins);
    layer = new int[n];
    for (int v : order) {
      for (int t : outs[v]) {
        layer[t] = Math.max(layer[t], layer[v] + 1);
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      int v = order[i];
      if (outs[v].length == 0 || (ins[v].length > 0 && outs[v].length <= ins[v].length)) {
        continue;
      }
      int hi = Integer.MAX_VALUE;
      for (int t : outs[v]) {
        hi = Math.min(hi, layer[t] - 1);
      }
      if (hi > layer[v]) {
        layer[v] = hi;
      }
    }
    int min = Integer.MAX_VALUE;
    for (int v = 0; v < n; v++) {
      min = Math.min(min, layer[v]);
    }
    for (int v = 0; v < n; v++) {
      layer[v] -= min;
    }
  }

  /** The nodes in an order where every edge points forward (Kahn's algorithm, lowest id first among ties). */
  private int[] topologicalOrder(int[][] outs, int[][] ins) {
    int[] pending = new int[n];
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int v = 0; v < n; v++) {
      pending[v] = ins[v].length;
      if (pending[v] == 0) {
        ready.add(v);
      }
    }
    int[] order = new int[n];
    int k = 0;
    while (!ready.isEmpty()) {
      int v = ready.poll();
      order[k++] = v;
      for (int t : outs[v]) {
        if (--pending[t] == 0) {
          ready.add(t);
        }
      }
    }
    if (k != n) {
      throw new IllegalStateException("the drawn graph has a cycle");
    }
    return order;
  }

  /** For each node, its targets (out) or sources (in). */
  private int[][] adjacency(boolean out) {
    int[] count = new int[n];
    for (DrawGraph.Edge e : graph.edges()) {
      count[out ? e.from() : e.to()]++;
    }
    int[][] adj = new int[n][];
    for (int v = 0; v < n; v++) {
      adj[v] = new int[count[v]];
    }
    Arrays.fill(count, 0);
    for (DrawGraph.Edge e : graph.edges()) {
      int v = out ? e.from() : e.to();
      adj[v][count[v]++] = out ? e.to() : e.from();
    }
    return adj;
  }

  private void insertDummies() {
    List<DrawGraph.Edge> edges = graph.edges();
    int dummies = 0;
    for (DrawGraph.Edge e : edges) {
      dummies += layer[e.to()] - layer[e.from()] - 1;
    }
    virtualCount = n + dummies;
    vlayer = Arrays.copyOf(layer, virtualCount);
    vwidth = new double[virtualCount];
    for (int v = 0; v < n; v++) {
      vwidth[v] = graph.nodes().get(v).width();
    }
    int[] upCount = new int[virtualCount];
    int[] downCount = new int[virtualCount];
    chains = new int[edges.size()][];
    int next = n;
    for (int i = 0; i < edges.size(); i++) {
      DrawGraph.Edge e = edges.get(i);
      int span = layer[e.to()] - layer[e.from()];
      int[] chain = new int[span + 1];
      chain[0] = e.from();
      chain[span] = e.to();
      for (int k = 1; k < span; k++) {
        chain[k] = next;
        vlayer[next] = layer[e.from()] + k;
        next++;
      }
      for (int k = 0; k < span; k++) {
        downCount[chain[k]]++;
        upCount[chain[k + 1]]++;
      }
      chains[i] = chain;
    }
    up = new int[virtualCount][];
    down = new int[virtualCount][];
    for (int v = 0; v < virtualCount; v++) {
      up[v] = new int[upCount[v]];
      down[v] = new int[downCount[v]];
    }
    Arrays.fill(upCount, 0);
    Arrays.fill(downCount, 0);
    for (int[] chain : chains) {
      for (int k = 0; k + 1 < chain.length; k++) {
        down[chain[k]][downCount[chain[k]]++] = chain[k + 1];
        up[chain[k + 1]][upCount[chain[k + 1]]++] = chain[k];
      }
    }
    int layerCount = 0;
    for (int v = 0; v < virtualCount; v++) {
      layerCount = Math.max(layerCount, vlayer[v] + 1);
    }
    int[] sizes = new int[layerCount];
    for (int v = 0; v < virtualCount; v++) {
      sizes[vlayer[v]]++;
    }
    layers = new int[layerCount][];
    for (int l = 0; l < layerCount; l++) {
      layers[l] = new int[sizes[l]];
    }
    Arrays.fill(sizes, 0);
    // Real nodes in id order (the order ops run), then the dummies in the order of their edges' sources.
    for (int v = 0; v < n; v++) {
      layers[vlayer[v]][sizes[vlayer[v]]++] = v;
    }
    for (int v = n; v < virtualCount; v++) {
      layers[vlayer[v]][sizes[vlayer[v]]++] = v;
    }
  }

  /** Barycenter sweeps; returns the crossings of the order kept. */
  private long orderLayers() {
    int[] pos = new int[virtualCount];
    // Start from the run order, with each dummy next to its edge's source.
    double[] key = new double[virtualCount];
    for (int v = 0; v < n; v++) {
      key[v] = v;
    }
    for (int[] chain : chains) {
      for (int k = 1; k + 1 < chain.length; k++) {
        key[chain[k]] = chain[0] + 0.5;
      }
    }
    for (int[] l : layers) {
      sortBy(l, key);
    }
    positions(pos);
    long best = crossings(pos);
    int[][] bestOrder = copy(layers);
    long work = (long) virtualCount + countEdges();
    int maxRounds = (int) Math.max(2, Math.min(24, 6_000_000 / Math.max(1, work)));
    int stale = 0;
    for (int round = 0; round < maxRounds && best > 0 && stale < 3; round++) {
      for (int l = 1; l < layers.length; l++) {
        reorder(layers[l], up, pos, key, false);
      }
      for (int l = layers.length - 2; l >= 0; l--) {
        reorder(layers[l], down, pos, key, true);
      }
      long c = crossings(pos);
      if (c < best) {
        best = c;
        bestOrder = copy(layers);
        stale = 0;
      } else {
        stale++;
      }
    }
    layers = bestOrder;
    return best;
  }

  private long countEdges() {
    long m = 0;
    for (int[] d : down) {
      m += d.length;
    }
    return m;
  }

  private static int[][] copy(int[][] a) {
    int[][] c = new int[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  private void positions(int[] pos) {
    for (int[] l : layers) {
      for (int i = 0; i < l.length; i++) {
        pos[l[i]] = i;
      }
    }
  }

  /** Sorts one layer by the barycenters of its neighbors in {@code adj}; a node without neighbors keeps its place. */
  private void reorder(int[] layer, int[][] adj, int[] pos, double[] key, boolean satellites) {
    for (int v : layer) {
      int[] nb = adj[v];
      if (nb.length == 0) {
        key[v] = Double.NaN;
        continue;
      }
      double sum = 0;
      for (int u : nb) {
        sum += pos[u];
      }
      key[v] = sum / nb.length;
    }
    // Satellites of one neighbor go to either side of it in turn, so that the neighbor stays centered.
    if (satellites) {
      Map<Integer, Integer> seen = new HashMap<>();
      for (int v : layer) {
        if (adj[v].length == 1 && up[v].length + down[v].length == 1 && v < n) {
          int i = seen.merge(adj[v][0], 1, Integer::sum) - 1;
          key[v] += (i % 2 == 0 ? -1 : 1) * (i / 2 + 1) * 1e-3;
        }
      }
    }
    // A node without neighbors keeps its place: it takes the key of its left neighbor (or -1).
    double last = -1;
    for (int v : layer) {
      if (Double.isNaN(key[v])) {
        key[v] = last;
      } else {
        last = key[v];
      }
    }
    sortBy(layer, key);
    for (int i = 0; i < layer.length; i++) {
      pos[layer[i]] = i;
    }
  }

  /** A stable sort of {@code ids} by {@code key}. */
  private static void sortBy(int[] ids, double[] key) {
    Integer[] boxed = new Integer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      boxed[i] = i;
    }
    int[] before = ids.clone();
    Arrays.sort(boxed, (a, b) -> {
      int c = Double.compare(key[before[a]], key[before[b]]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    for (int i = 0; i < ids.length; i++) {
      ids[i] = before[boxed[i]];
    }
  }

  /** The crossings between all pairs of adjacent layers (Barth, Jünger and Mutzel's accumulation tree). */
  private long crossings(int[] pos) {
    long total = 0;
    for (int l = 0; l + 1 < layers.length; l++) {
      int size = layers[l + 1].length;
      int tree = 1;
      while (tree < size) {
        tree <<= 1;
      }
      long[] acc = new long[2 * tree];
      for (int v : layers[l]) {
        int[] targets = down[v].clone();
        for (int i = 0; i < targets.length; i++) {
          targets[i] = pos[targets[i]];
        }
        Arrays.sort(targets);
        for (int p : targets) {
          int index = p + tree;
          acc[index]++;
          while (index > 1) {
            if ((index & 1) == 0) {
              total += acc[index + 1];
            }
            index >>= 1;
            acc[index]++;
          }
        }
      }
    }
    return total;
  }

  private boolean isDummy(int v) {
    return v >= n;
  }

  private double gap(int a, int b) {
    return (vwidth[a] + vwidth[b]) / 2 + (isDummy(a) || isDummy(b) ? DUMMY_GAP : NODE_GAP);
  }

  /**
   * How strongly {@code from} pulls {@code to} toward its x. A satellite (a node with one edge: a parameter read
   * once, a gradient nobody reads) barely pulls its neighbor, which stays aligned with the chain it belongs to,
   * while the satellite follows its neighbor and yields its place to the nodes beside it (see {@link #place}):
   * otherwise a parameter beside each op would push the chain of ops sideways a little more at every layer.
   * Chains of dummies pull hardest, so long edges run straight.
   */
  private double weight(int from, int to) {
    if (isSatellite(from)) {
      return 0.02;
    }
    if (isDummy(from) && isDummy(to)) {
      return 8;
    }
    return isDummy(from) || isDummy(to) ? 2 : 1;
  }

  private boolean isSatellite(int v) {
    return !isDummy(v) && up[v].length + down[v].length == 1;
  }

  private void placeHorizontally() {
    x = new double[virtualCount];
    for (int[] l : layers) {
      double at = 0;
      for (int i = 0; i < l.length; i++) {
        if (i > 0) {
          at += gap(l[i - 1], l[i]);
        }
        x[l[i]] = at;
      }
      for (int v : l) {
        x[v] -= at / 2;
      }
    }
    int rounds = (int) Math.max(3, Math.min(12, 4_000_000 / Math.max(1, virtualCount + countEdges())));
    for (int round = 0; round < rounds; round++) {
      for (int l = 1; l < layers.length; l++) {
        place(layers[l], true, false);
      }
      for (int l = layers.length - 2; l >= 0; l--) {
        place(layers[l], false, true);
      }
    }
    for (int round = 0; round < 2; round++) {
      for (int l = 0; l < layers.length; l++) {
        place(layers[l], true, true);
      }
    }
    straightenLongEdges();
  }

  /**
   * Moves the dummies of each long edge onto one vertical line where that fits between their neighbors in every
   * layer they cross (trying the dummies' median x, then the x of either end).
   */
  private void straightenLongEdges() {
    int[] index = new int[virtualCount];
    for (int[] l : layers) {
      for (int i = 0; i < l.length; i++) {
        index[l[i]] = i;
      }
    }
    for (int round = 0; round < 2; round++) {
      for (int[] chain : chains) {
        int dummies = chain.length - 2;
        if (dummies < 1) {
          continue;
        }
        double[] xs = new double[dummies];
        for (int k = 0; k < dummies; k++) {
          xs[k] = x[chain[k + 1]];
        }
        Arrays.sort(xs);
        double[] candidates = {xs[dummies / 2], x[chain[0]], x[chain[chain.length - 1]], x[chain[1]],
            x[chain[chain.length - 2]]};
        for (double c : candidates) {
          if (fits(chain, c, index)) {
            for (int k = 1; k + 1 < chain.length; k++) {
              x[chain[k]] = c;
            }
            break;
          }
        }
      }
    }
  }

  private boolean fits(int[] chain, double at, int[] index) {
    for (int k = 1; k + 1 < chain.length; k++) {
      int d = chain[k];
      int[] l = layers[vlayer[d]];
      int i = index[d];
      if (i > 0 && x[l[i - 1]] + gap(l[i - 1], d) > at + 1e-6) {
        return false;
      }
      if (i + 1 < l.length && x[l[i + 1]] - gap(d, l[i + 1]) < at - 1e-6) {
        return false;
      }
    }
    return true;
  }

  /**
   * Places one layer: each node as near as it can be to the weighted mean x of its neighbors (above, below or
   * both), in order, no closer to the next than {@link #gap}. With offsets o (o[0] = 0, o[i+1] = o[i] + gap), the
   * positions x[i] = y[i] + o[i] need y non-decreasing, and the best y is the weighted isotonic regression of
   * (target - o), which pooling adjacent violators finds in one pass.
   */
  private void place(int[] layer, boolean useUp, boolean useDown) {
    int k = layer.length;
    if (k == 0) {
      return;
    }
    double[] offset = new double[k];
    double[] target = new double[k];
    double[] weight = new double[k];
    for (int i = 0; i < k; i++) {
      int v = layer[i];
      if (i > 0) {
        offset[i] = offset[i - 1] + gap(layer[i - 1], v);
      }
      double sum = 0;
      double w = 0;
      if (useUp) {
        for (int u : up[v]) {
          double e = weight(u, v);
          sum += e * x[u];
          w += e;
        }
      }
      if (useDown) {
        for (int u : down[v]) {
          double e = weight(u, v);
          sum += e * x[u];
          w += e;
        }
      }
      if (w == 0) {
        target[i] = x[v] - offset[i];
        weight[i] = 0.05;
      } else {
        target[i] = sum / w - offset[i];
        // A satellite yields to the nodes beside it: they keep their place, it takes what is left.
        weight[i] = isSatellite(v) ? w * 1e-3 : w;
      }
    }
    // Pool adjacent violators: blocks of equal y, each with its weight and weighted mean.
    double[] blockMean = new double[k];
    double[] blockWeight = new double[k];
    int[] blockEnd = new int[k];
    int blocks = 0;
    for (int i = 0; i < k; i++) {
      blockMean[blocks] = target[i];
      blockWeight[blocks] = weight[i];
      blockEnd[blocks] = i;
      blocks++;
      while (blocks > 1 && blockMean[blocks - 2] > blockMean[blocks - 1]) {
        double w = blockWeight[blocks - 2] + blockWeight[blocks - 1];
        blockMean[blocks - 2] = (blockMean[blocks - 2] * blockWeight[blocks - 2]
            + blockMean[blocks - 1] * blockWeight[blocks - 1]) / w;
        blockWeight[blocks - 2] = w;
        blockEnd[blocks - 2] = blockEnd[blocks - 1];
        blocks--;
      }
    }
    int i = 0;
    for (int b = 0; b < blocks; b++) {
      for (; i <= blockEnd[b]; i++) {
        x[layer[i]] = blockMean[b] + offset[i];
      }
    }
  }

  private Layout finish(long crossings) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < virtualCount; v++) {
      minX = Math.min(minX, x[v] - vwidth[v] / 2);
      maxX = Math.max(maxX, x[v] + vwidth[v] / 2);
    }
    if (virtualCount == 0) {
      minX = 0;
      maxX = 0;
    }
    double shift = MARGIN - minX;
    for (int v = 0; v < virtualCount; v++) {
      x[v] += shift;
    }
    double[] layerTop = new double[layers.length];
    double[] layerHeight = new double[layers.length];
    double at = MARGIN;
    for (int l = 0; l < layers.length; l++) {
      double h = 0;
      for (int v : layers[l]) {
        if (!isDummy(v)) {
          h = Math.max(h, graph.nodes().get(v).height());
        }
      }
      layerTop[l] = at;
      layerHeight[l] = h;
      at += h + LAYER_GAP;
    }
    double height = layers.length == 0 ? 2 * MARGIN : at - LAYER_GAP + MARGIN;
    double[] nx = new double[n];
    double[] ny = new double[n];
    for (int v = 0; v < n; v++) {
      nx[v] = x[v];
      ny[v] = layerTop[layer[v]] + layerHeight[layer[v]] / 2;
    }
    double[] startOffset = new double[chains.length];
    double[] endOffset = new double[chains.length];
    spreadPorts(startOffset, endOffset);
    List<Route> routes = new ArrayList<>(chains.length);
    for (int e = 0; e < chains.length; e++) {
      int[] chain = chains[e];
      int s = chain[0];
      int t = chain[chain.length - 1];
      DrawGraph.Node sn = graph.nodes().get(s);
      DrawGraph.Node tn = graph.nodes().get(t);
      int points = 2 + 2 * (chain.length - 2);
      double[] xs = new double[points];
      double[] ys = new double[points];
      xs[0] = nx[s] + startOffset[e];
      ys[0] = ny[s] + sn.height() / 2 - sn.mark().shape.inset(startOffset[e], sn.width(), sn.height());
      int p = 1;
      for (int k = 1; k + 1 < chain.length; k++) {
        int d = chain[k];
        int l = vlayer[d];
        xs[p] = x[d];
        ys[p++] = layerTop[l];
        xs[p] = x[d];
        ys[p++] = layerTop[l] + layerHeight[l];
      }
      xs[p] = nx[t] + endOffset[e];
      ys[p] = ny[t] - tn.height() / 2 + tn.mark().shape.inset(endOffset[e], tn.width(), tn.height());
      routes.add(new Route(xs, ys));
    }
    return new Layout(nx, ny, layer.clone(), routes, maxX - minX + 2 * MARGIN, height, layers.length, crossings);
  }

  /** Spreads the edges that leave (enter) a node across its bottom (top), in the order of their other ends. */
  private void spreadPorts(double[] startOffset, double[] endOffset) {
    List<List<Integer>> outgoing = new ArrayList<>(n);
    List<List<Integer>> incoming = new ArrayList<>(n);
    for (int v = 0; v < n; v++) {
      outgoing.add(new ArrayList<>(2));
      incoming.add(new ArrayList<>(2));
    }
    for (int e = 0; e < chains.length; e++) {
      outgoing.get(chains[e][0]).add(e);
      incoming.get(chains[e][chains[e].length - 1]).add(e);
    }
    for (int v = 0; v < n; v++) {
      DrawGraph.Node node = graph.nodes().get(v);
      double half = node.mark().shape.portHalfWidth(node.width(), node.height());
      spread(outgoing.get(v), half, startOffset, 1);
      spread(incoming.get(v), half, endOffset, -1);
    }
  }

  /** {@code side} 1: order by each edge's second node; -1: by its second-to-last. */
  private void spread(List<Integer> edges, double half, double[] offsets, int side) {
    int k = edges.size();
    if (k < 2) {
      return;
    }
    edges.sort((a, b) -> Double.compare(x[neighbor(a, side)], x[neighbor(b, side)]));
    double step = Math.min(14, 2 * half / (k - 1));
    for (int i = 0; i < k; i++) {
      offsets[edges.get(i)] = (i - (k - 1) / 2.0) * step;
    }
  }

  private int neighbor(int edge, int side) {
    int[] chain = chains[edge];
    return side > 0 ? chain[1] : chain[chain.length - 2];
  }
}
