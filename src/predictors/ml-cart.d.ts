// ml-cart ships no type declarations; this covers the part of its API that the carts surrogate uses.
declare module 'ml-cart' {
  export interface DecisionTreeRegressionOptions {
    /** A node with at most this many samples becomes a leaf. */
    minNumSamples?: number;
    maxDepth?: number;
  }

  export class DecisionTreeRegression {
    constructor(options?: DecisionTreeRegressionOptions);
    train(trainingSet: number[][], trainingValues: number[]): void;
    predict(toPredict: number[][]): number[];
  }
}
