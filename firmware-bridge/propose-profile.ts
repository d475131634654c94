import type { BoardProfile } from '../src/measure/profiles/schema.ts';

/** What a port told about the board behind it; any of it may be missing. */
export interface BoardClues {
  /** HELLO's board id (the cnas firmware names its profile). */
  boardId?: string;
  /** MLPerf's `m-name-dut-[...]`. */
  mlperfName?: string;
  /** USB vendor id, 4 hex digits. */
  vendorId?: string;
  /** HELLO's core clock. */
  clockHz?: number;
}

/**
 * USB vendors of the profiles' boards and of their debug probes or USB-UART bridges, with the profiles each can
 * be. A bridge chip (CP210x, J-Link) says less than a vendor's own id, but still narrows the choice.
 */
const USB_VENDORS: { vendorId: string; vendor: string; matches: (p: BoardProfile) => boolean }[] = [
  { vendorId: '0483', vendor: 'STMicroelectronics (ST-LINK)', matches: (p) => p.mcu.startsWith('STM32') },
  { vendorId: '2341', vendor: 'Arduino', matches: (p) => p.id.startsWith('arduino-') },
  { vendorId: '2e8a', vendor: 'Raspberry Pi', matches: (p) => p.mcu.startsWith('RP2040') },
  { vendorId: '303a', vendor: 'Espressif', matches: (p) => p.mcu.startsWith('ESP32') },
  { vendorId: '10c4', vendor: 'Silicon Labs CP210x', matches: (p) => p.mcu.startsWith('ESP32') },
  { vendorId: '1366', vendor: 'SEGGER J-Link', matches: (p) => p.mcu.startsWith('R7FA') },
  { vendorId: '045b', vendor: 'Renesas', matches: (p) => p.mcu.startsWith('R7FA') },
];

/** A core clock within 1% of the profile's. */
function clockMatches(p: BoardProfile, clockHz: number): boolean {
  return Math.abs(p.clockMhz * 1e6 - clockHz) <= 0.01 * p.clockMhz * 1e6;
}

export function usbVendorName(vendorId: string | undefined): string | undefined {
  return USB_VENDORS.find((v) => v.vendorId === vendorId?.toLowerCase())?.vendor;
}

/**
 * The profile a detected board most likely has, or undefined when the clues do not single one out: a name that is
 * a profile id (or contains exactly one), else the profiles of the USB vendor, narrowed by the clock.
 */
export function proposeProfile(clues: BoardClues, profiles: readonly BoardProfile[]): string | undefined {
  for (const name of [clues.boardId, clues.mlperfName]) {
    if (!name) continue;
    const lower = name.toLowerCase();
    const exact = profiles.find((p) => p.id === lower);
    if (exact) return exact.id;
    const named = profiles.filter((p) => lower.includes(p.id) || lower.includes(p.mcu.toLowerCase()));
    if (named.length === 1) return named[0].id;
  }
  const vendor = USB_VENDORS.find((v) => v.vendorId === clues.vendorId?.toLowerCase());
  let candidates = vendor ? profiles.filter(vendor.matches) : [];
  if (clues.clockHz !== undefined) candidates = (vendor ? candidates : profiles.filter((p) => p.kind === 'mcu')).filter((p) => clockMatches(p, clues.clockHz!));
  return candidates.length === 1 ? candidates[0].id : undefined;
}
