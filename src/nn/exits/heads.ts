import type { NetGraph } from '../../graph/types.ts';

/** How the exits of a graph are read: class logits only, or (NACHOS) class logits plus a confidence logit. */
export type HeadKind = 'classes' | 'confidence';

/**
 * The head kind of a graph's intermediate exits from their output widths: `classes` logits (eemobilenetv3,
 * or a single-exit net) or `classes + 1`, the last one NACHOS's confidence logit (cbnmobilenetv3). The final
 * exit always has `classes` outputs.
 */
export function headKind(graph: NetGraph): HeadKind {
  const widths = graph.exits.map((e) => graph.tensors[e.output][2]);
  const last = widths.length - 1;
  if (widths[last] !== graph.classes) throw new Error(`the final exit has ${widths[last]} outputs for ${graph.classes} classes`);
  const intermediate = widths.slice(0, last);
  if (intermediate.every((w) => w === graph.classes)) return 'classes';
  if (intermediate.every((w) => w === graph.classes + 1)) return 'confidence';
  throw new Error(`intermediate exits have [${intermediate.join(', ')}] outputs; expected ${graph.classes} each, or ${graph.classes + 1} each with a confidence logit`);
}
