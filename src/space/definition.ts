import { makeDivisible } from './make-divisible.ts';

export const SPACE_NAMES = ['mobilenetv3', 'eemobilenetv3', 'cbnmobilenetv3'] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

/** How a space places early exits: none, per-boundary thresholds `t` (EDANAS) or per-boundary flags `b` (NACHOS). */
export type ExitKind = 'none' | 'threshold' | 'flag';

export type StageActivation = 'relu' | 'hswish';

/**
 * A once-for-all MobileNetV3 search space as data. The defaults reproduce OFA MobileNetV3 w1.0 with CNAS's
 * choices; width multiplier, base widths, choices and the resolution range can all be changed.
 */
export interface SpaceDefinition {
  name: SpaceName;
  widthMult: number;
  /** First conv, fixed first block, one per searchable stage, final expand, feature mix (before the multiplier). */
  baseWidths: number[];
  /** Per searchable stage: stride of its first block, activation, squeeze-excite. */
  strides: number[];
  activations: StageActivation[];
  se: boolean[];
  depths: number[];
  kernels: number[];
  expands: number[];
  /** EDANAS exit thresholds; 1 means "no exit at this boundary". */
  thresholds: number[];
  lr: number;
  ur: number;
  rstep: number;
}

export const OFA_MBV3_BASE_WIDTHS = [16, 16, 24, 40, 80, 112, 160, 960, 1280];

export function defaultDefinition(name: SpaceName): SpaceDefinition {
  return {
    name,
    widthMult: 1.0,
    baseWidths: OFA_MBV3_BASE_WIDTHS.slice(),
    strides: [2, 2, 2, 1, 2],
    activations: ['relu', 'relu', 'hswish', 'hswish', 'hswish'],
    se: [false, true, false, true, true],
    depths: [2, 3, 4],
    kernels: [3, 5, 7],
    expands: [3, 4, 6],
    thresholds: [0.1, 0.2, 1],
    lr: 224,
    ur: 224,
    rstep: 4,
  };
}

/** A definition with everything derived from it that sampling, encoding and realisation need. */
export interface SearchSpace extends SpaceDefinition {
  exitKind: ExitKind;
  nStages: number;
  /** Exit boundaries: after every searchable stage but the last. */
  nBoundaries: number;
  maxDepth: number;
  firstConvWidth: number;
  firstBlockWidth: number;
  stageWidths: number[];
  finalExpandWidth: number;
  featureMixWidth: number;
  resolutions: number[];
  fixedResolution: boolean;
}

export function exitKindOf(name: SpaceName): ExitKind {
  if (name === 'eemobilenetv3') return 'threshold';
  if (name === 'cbnmobilenetv3') return 'flag';
  return 'none';
}

/** CNAS's resolution list: Python `range(lr, ur + 1, rstep)`. */
export function resolutionList(lr: number, ur: number, rstep: number): number[] {
  const list: number[] = [];
  for (let r = lr; r <= ur; r += rstep) list.push(r);
  return list;
}

export function resolveSpace(def: SpaceDefinition): SearchSpace {
  const nStages = def.strides.length;
  const widths = def.baseWidths.map((w) => makeDivisible(w * def.widthMult));
  const resolutions = resolutionList(def.lr, def.ur, def.rstep);
  const sortNum = (xs: number[]): number[] => xs.slice().sort((a, b) => a - b);
  return {
    ...def,
    depths: sortNum(def.depths),
    kernels: sortNum(def.kernels),
    expands: sortNum(def.expands),
    thresholds: sortNum(def.thresholds),
    exitKind: exitKindOf(def.name),
    nStages,
    nBoundaries: nStages - 1,
    maxDepth: Math.max(...def.depths),
    firstConvWidth: widths[0],
    firstBlockWidth: widths[1],
    stageWidths: widths.slice(2, 2 + nStages),
    finalExpandWidth: widths[2 + nStages],
    featureMixWidth: widths[3 + nStages],
    resolutions,
    fixedResolution: def.lr === def.ur,
  };
}
