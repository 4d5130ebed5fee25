/**
 * The EPYC generations this verifier knows, and what differs between them: the TCB_VERSION byte
 * layout (Turin adds an FMC byte and moves the others, spec 56860 "TCB_VERSION") and the length of
 * the VCEK's hwID (the whole 64-byte CHIP_ID before Turin, its first 8 bytes from Turin on).
 */
import type { SnpTcb } from '../types.js';

export type SnpProduct = 'Milan' | 'Genoa' | 'Turin';

export const SNP_PRODUCTS: readonly SnpProduct[] = ['Milan', 'Genoa', 'Turin'];

/** CPUID family of each generation (v3+ reports state it): Zen 3/4 are 19h, Zen 5 is 1Ah. */
const CPUID_FAMILY: Record<SnpProduct, number> = { Milan: 0x19, Genoa: 0x19, Turin: 0x1a };

/** "Milan-B0" (a VCEK's product name), "Milan" (a VLEK's), "ARK-Milan", "SEV-VLEK-Milan" → Milan. */
export function productOfName(name: string, prefix = ''): SnpProduct | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const base = name.slice(prefix.length).split('-')[0];
  return SNP_PRODUCTS.find((p) => p === base);
}

/** Whether a report's CPUID family fits the product; v2 reports (family 0) state none. */
export function cpuidFamilyFits(product: SnpProduct, family: number): boolean {
  return family === 0 || CPUID_FAMILY[product] === family;
}

export function hwIdLength(product: SnpProduct): number {
  return product === 'Turin' ? 8 : 64;
}

/** The 8-byte little-endian TCB_VERSION, by the product's layout. */
export function decodeTcb(raw: Uint8Array, product: SnpProduct): SnpTcb {
  if (product === 'Turin') return { fmc: raw[0], bootloader: raw[1], tee: raw[2], snp: raw[3], microcode: raw[7] };
  return { bootloader: raw[0], tee: raw[1], snp: raw[6], microcode: raw[7] };
}
