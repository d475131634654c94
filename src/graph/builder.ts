import { convOutputSize } from './types.ts';
import type { Activation, BlockInfo, ExitInfo, Layer, NetGraph, Padding, Part, Shape } from './types.ts';

export interface ConvSpec {
  name: string;
  cout: number;
  kernel: number;
  stride?: number;
  /** Depthwise when true (groups = cin). */
  depthwise?: boolean;
  /** Defaults to PyTorch's symmetric `kernel // 2` on every side. */
  padding?: Padding;
  bias?: boolean;
  batchNorm?: boolean;
  act?: Activation;
}

export function symmetricPadding(kernel: number): Padding {
  const p = kernel >> 1;
  return { top: p, bottom: p, left: p, right: p };
}

/** Appends layers in execution order and infers every output shape, so shapes are computed in one place. */
export class GraphBuilder {
  readonly tensors: Shape[] = [];
  readonly layers: Layer[] = [];
  readonly blocks: BlockInfo[] = [];
  readonly exits: ExitInfo[] = [];
  readonly input: number;
  part: Part = { kind: 'backbone', block: -1 };

  constructor(
    readonly resolution: number,
    readonly classes: number,
    inputChannels = 3,
  ) {
    this.input = this.tensor([resolution, resolution, inputChannels]);
  }

  shape(tensor: number): Shape {
    return this.tensors[tensor];
  }

  conv(input: number, spec: ConvSpec): number {
    const [h, w, cin] = this.tensors[input];
    const stride = spec.stride ?? 1;
    const padding = spec.padding ?? symmetricPadding(spec.kernel);
    const ho = convOutputSize(h, spec.kernel, stride, padding.top, padding.bottom);
    const wo = convOutputSize(w, spec.kernel, stride, padding.left, padding.right);
    const cout = spec.depthwise ? cin : spec.cout;
    const output = this.tensor([ho, wo, cout]);
    this.layers.push({
      kind: 'conv',
      name: spec.name,
      part: this.part,
      input,
      output,
      cin,
      cout,
      kernel: spec.kernel,
      stride,
      groups: spec.depthwise ? cin : 1,
      padding,
      bias: spec.bias ?? false,
      batchNorm: spec.batchNorm ?? false,
      act: spec.act ?? 'none',
    });
    return output;
  }

  squeezeExcite(input: number, name: string, reduced: number): number {
    const output = this.tensor(this.tensors[input]);
    this.layers.push({ kind: 'se', name, part: this.part, input, output, channels: this.tensors[input][2], reduced });
    return output;
  }

  add(a: number, b: number, name: string): number {
    const output = this.tensor(this.tensors[a]);
    this.layers.push({ kind: 'add', name, part: this.part, inputs: [a, b], output });
    return output;
  }

  globalPool(input: number, name: string): number {
    const output = this.tensor([1, 1, this.tensors[input][2]]);
    this.layers.push({ kind: 'global_pool', name, part: this.part, input, output });
    return output;
  }

  maxPool(input: number, name: string, size: number): number {
    const [h, w, c] = this.tensors[input];
    const output = this.tensor([Math.floor(h / size), Math.floor(w / size), c]);
    this.layers.push({ kind: 'max_pool', name, part: this.part, input, output, size });
    return output;
  }

  activation(input: number, name: string, act: Activation): number {
    const output = this.tensor(this.tensors[input]);
    this.layers.push({ kind: 'act', name, part: this.part, input, output, act });
    return output;
  }

  flatten(input: number, name: string): number {
    const [h, w, c] = this.tensors[input];
    const output = this.tensor([1, 1, h * w * c]);
    this.layers.push({ kind: 'flatten', name, part: this.part, input, output });
    return output;
  }

  linear(input: number, name: string, cout: number, bias = true): number {
    const [h, w, cin] = this.tensors[input];
    if (h !== 1 || w !== 1) throw new Error(`linear layer ${name} needs a flat input, got ${h}x${w}x${cin}`);
    const output = this.tensor([1, 1, cout]);
    this.layers.push({ kind: 'linear', name, part: this.part, input, output, cin, cout, bias });
    return output;
  }

  build(): NetGraph {
    return {
      resolution: this.resolution,
      classes: this.classes,
      input: this.input,
      tensors: this.tensors,
      layers: this.layers,
      blocks: this.blocks,
      exits: this.exits,
    };
  }

  private tensor(shape: Shape): number {
    this.tensors.push(shape);
    return this.tensors.length - 1;
  }
}
