import type { Layer, NetGraph } from '../graph/types.ts';

/** One piece of an early-exit network that runs as its own model. */
export interface Segment {
  /** File stem: `segment_<k>` (backbone up to exit k), `exit_<k>` (its head), `final` (rest of the backbone and the final head). */
  name: string;
  role: 'backbone' | 'exit' | 'final';
  /** The exit this segment ends at (backbone) or computes (exit, final). */
  exit: number;
  /** The piece as a NetGraph over the full graph's tensors: its input is the boundary tensor, its only exit its output. */
  graph: NetGraph;
  /** Name of the input tensor, as the full model names it (`input`, or the layer that produced it). */
  inputName: string;
}

function groupOf(layer: Layer, graph: NetGraph): string {
  const intermediate = graph.exits.filter((e) => !e.final);
  switch (layer.part.kind) {
    case 'exit':
      return `exit_${layer.part.exit}`;
    case 'head':
      return 'final';
    case 'backbone': {
      const block = layer.part.block;
      const k = intermediate.findIndex((e) => block <= e.afterBlock);
      return k < 0 ? 'final' : `segment_${k}`;
    }
  }
}

/**
 * Splits an early-exit network at its exits: segment_0, exit_0, segment_1, exit_1, ..., final, in the order a
 * device runs them (stop after exit k when it is confident, else go on with segment k+1). Each piece reads
 * exactly one tensor that an earlier piece produced; a graph where that does not hold is refused.
 */
export function splitSegments(graph: NetGraph): Segment[] {
  const producer = new Map<number, Layer>(graph.layers.map((l) => [l.output, l]));
  const nameOf = (t: number) => (t === graph.input ? 'input' : producer.get(t)!.name);
  const groups = new Map<string, Layer[]>();
  for (const layer of graph.layers) {
    const g = groupOf(layer, graph);
    groups.set(g, [...(groups.get(g) ?? []), layer]);
  }
  const order: { name: string; role: Segment['role']; exit: number }[] = [];
  graph.exits.forEach((e, k) => {
    if (e.final) order.push({ name: 'final', role: 'final', exit: k });
    else order.push({ name: `segment_${k}`, role: 'backbone', exit: k }, { name: `exit_${k}`, role: 'exit', exit: k });
  });
  let feature = graph.input;
  return order.map(({ name, role, exit }) => {
    const layers = groups.get(name) ?? [];
    const produced = new Set(layers.map((l) => l.output));
    const read = new Set(layers.flatMap((l) => (l.kind === 'add' ? [...l.inputs] : [l.input])).filter((t) => !produced.has(t)));
    if (read.size !== 1 || !read.has(feature)) throw new Error(`early-exit segment ${name} must read exactly the tensor the previous backbone segment produces`);
    const input = feature;
    const output = role === 'backbone' ? firstLayerOf(groups.get(`exit_${exit}`), name) : graph.exits[exit].output;
    if (!produced.has(output)) throw new Error(`early-exit segment ${name} does not produce the tensor its successor reads`);
    if (role === 'backbone') feature = output;
    const segmentGraph: NetGraph = { ...graph, input, layers, exits: [{ ...graph.exits[exit], output }] };
    return { name, role, exit, graph: segmentGraph, inputName: nameOf(input) };
  });
}

/** The tensor an exit head reads: the input of its first layer. */
function firstLayerOf(head: Layer[] | undefined, segment: string): number {
  const first = head?.[0];
  if (first === undefined || first.kind === 'add') throw new Error(`early-exit segment ${segment} has no exit head to feed`);
  return first.input;
}
