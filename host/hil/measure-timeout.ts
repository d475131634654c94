import type { Measurement } from '../../src/measure/measurement.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';

type MeasureFn = (model: Uint8Array, selector: string) => Promise<Measurement>;

/**
 * Bounds every measurement: a hub keeps a job queued while no connected board matches its selector, which
 * would leave a search waiting for ever. Past `seconds` the candidate gets a `timeout` failure that says why.
 */
export function withMeasureTimeout(measure: MeasureFn, seconds: number): MeasureFn {
  return (model, selector) =>
    new Promise<Measurement>((resolve, reject) => {
      const timer = setTimeout(() => {
        resolve({
          ok: false,
          reason: 'timeout',
          message: `no measurement from a board matching "${selector}" within ${seconds} s; is an agent with such a board connected to the hub?`,
          provenance: { board: selector, profile: selector, agent: '-', firmware: '-', runtime: 'hub', simulated: false, settings: DEFAULT_MEASURE_SETTINGS, time: new Date().toISOString() },
        });
      }, seconds * 1000);
      measure(model, selector).then(
        (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
}
