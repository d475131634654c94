import { makeDivisible } from '../../src/space/make-divisible.ts';
import type { SubnetConfig } from '../../src/space/config.ts';

/** The closed form of the reference (§4), written independently of the NetGraph. */
export function closedFormCost(config: SubnetConfig, r: number, n: number): { params: number; macs: number; activations: number } {
  const widths = [24, 40, 80, 112, 160];
  const strides = [2, 2, 2, 1, 2];
  const hswish = [false, false, true, true, true];
  const se = [false, true, false, true, true];
  let params = 0;
  let macs = 0;
  let acts = 0;
  const h0 = Math.ceil(r / 2);
  params += 3 * 16 * 9 + 2 * 16;
  macs += h0 * h0 * 16 * 27 + 16 * h0 * h0 + 16 * h0 * h0;
  acts += 2 * 16 * h0 * h0;
  const block = (cin: number, cout: number, k: number, e: number, s: number, hs: boolean, useSe: boolean, h: number): number => {
    const ho = Math.ceil(h / s);
    const mid = e === 1 ? cin : makeDivisible(cin * e);
    const a = hs ? 1 : 0;
    if (e !== 1) {
      params += cin * mid + 2 * mid;
      macs += h * h * mid * cin + mid * h * h + a * mid * h * h;
      acts += 2 * mid * h * h;
    }
    params += mid * k * k + 2 * mid;
    macs += ho * ho * mid * k * k + mid * ho * ho + a * mid * ho * ho;
    acts += 2 * mid * ho * ho;
    if (useSe) {
      const nm = makeDivisible(Math.floor(mid / 4));
      params += 2 * mid * nm + nm + mid;
      macs += mid * ho + mid + 2 * nm * mid + mid * ho * ho;
      acts += nm + mid;
    }
    params += mid * cout + 2 * cout;
    macs += ho * ho * cout * mid + cout * ho * ho;
    acts += 2 * cout * ho * ho;
    return ho;
  };
  let h = block(16, 16, 3, 1, 1, false, false, h0);
  let cin = 16;
  let j = 0;
  for (let i = 0; i < 5; i++) {
    for (let p = 0; p < config.d[i]; p++, j++) {
      h = block(cin, widths[i], config.ks[j], config.e[j], p === 0 ? strides[i] : 1, hswish[i], se[i], h);
      cin = widths[i];
    }
  }
  params += 160 * 960 + 1920;
  macs += h * h * 960 * 160 + 2 * 960 * h * h;
  acts += 2 * 960 * h * h;
  macs += 960 * h + 960;
  params += 960 * 1280;
  macs += 960 * 1280 + 1280;
  acts += 1280;
  params += 1280 * n + n;
  macs += 1280 * n;
  acts += n;
  return { params, macs, activations: acts };
}
