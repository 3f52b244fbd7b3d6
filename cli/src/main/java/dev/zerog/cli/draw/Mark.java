package dev.zerog.cli.draw;

/**
 * What a node is, as the drawing shows it: each mark has its shape, its colors and its line in the legend.
 * Whether the zero-aware pass removed a node is not a mark but a flag drawn on top of it (faded and dashed).
 */
enum Mark {
  /** An operator of the forward net. */
  FORWARD_OP("forward op", NodeShape.BOX, "#DCE8F7", "#2F5D94"),
  /** A gradient operator (is_gradient_op), or one the backward builder adds (initial gradient, accumulation). */
  BACKWARD_OP("gradient op", NodeShape.BOX, "#FBE1C8", "#B85C14"),
  /** An operator that follows the backward pass in a given net without being part of it: an optimizer's. */
  UPDATE_OP("update op", NodeShape.BOX, "#E7E0F1", "#5E4A8B"),
  /** ZeroGradient: its input gets a gradient of zeros. */
  ZERO_GRADIENT("ZeroGradient", NodeShape.HEXAGON, "#F8D3E6", "#A3195B"),
  /** StopGradient: no gradient flows back through it. */
  STOP_GRADIENT("StopGradient", NodeShape.OCTAGON, "#F6C9C6", "#B3261E"),
  /** GradientMask: the gradient is multiplied by a mask. */
  GRADIENT_MASK("GradientMask", NodeShape.PARALLELOGRAM, "#FCEBB6", "#9A6B00"),
  /** A blob of the forward net. */
  BLOB("blob", NodeShape.ELLIPSE, "#FFFFFF", "#7D8590"),
  /** A blob a gradient op writes. */
  GRADIENT("gradient", NodeShape.ELLIPSE, "#FFF4E8", "#C9823F"),
  /** A gradient known to be zero before anything runs. */
  KNOWN_ZERO("known-zero gradient", NodeShape.ELLIPSE, "#EEEEEE", "#8C8C8C"),
  /** A parameter (written by the init net, or named). */
  PARAMETER("parameter", NodeShape.ELLIPSE, "#DDF1D8", "#2E7D32"),
  /** A frozen parameter: no gradient ops, no updates. */
  FROZEN_PARAMETER("frozen parameter", NodeShape.ELLIPSE, "#CDEFF4", "#00707A");

  /** The legend's words for it. */
  final String legend;
  /** The node's outline. */
  final NodeShape shape;
  /** The fill color, #RRGGBB. */
  final String fill;
  /** The outline's (and, for operators, the label's accent) color, #RRGGBB. */
  final String stroke;

  Mark(String legend, NodeShape shape, String fill, String stroke) {
    this.legend = legend;
    this.shape = shape;
    this.fill = fill;
    this.stroke = stroke;
  }

  /** True for the marks of operators. */
  boolean isOp() {
    return shape != NodeShape.ELLIPSE;
  }

  /** True if the outline is dashed (a known zero holds no memory). */
  boolean dashed() {
    return this == KNOWN_ZERO;
  }

  /** True if the outline is doubled (a frozen parameter). */
  boolean doubled() {
    return this == FROZEN_PARAMETER;
  }

  /** The class name the SVG gives such nodes. */
  String cssClass() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
