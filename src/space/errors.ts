/** A config, gene vector or space definition that does not fit; names the field, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`field "${field}": ${message}`);
    this.name = 'ConfigError';
  }
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function notAllowed(field: string, value: unknown, allowed: readonly unknown[]): ConfigError {
  return new ConfigError(field, `value ${formatValue(value)} is not allowed; allowed values: ${allowed.join(', ')}`);
}
