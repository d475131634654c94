/** A dataset that cannot be loaded or an option that does not fit; the message names the file or option and the problem. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function checkPositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new DatasetError(`option ${option}: ${value} is not a positive integer`);
}
