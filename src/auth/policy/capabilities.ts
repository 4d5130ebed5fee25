/**
 * Capabilities as bits, so that merging rules from several policies is an OR and a check is an AND.
 * The names and the `deny` semantics are Vault's.
 */
import type { Capability } from './types.js';

export const CAPABILITY_BITS: Record<Capability, number> = {
  deny: 1,
  create: 2,
  read: 4,
  update: 8,
  delete: 16,
  list: 32,
  sudo: 64,
  patch: 128,
  subscribe: 256,
};

/** Capability names in sorted order (what sys/capabilities* returns). */
export const SORTED_CAPABILITIES: readonly Capability[] = (Object.keys(CAPABILITY_BITS) as Capability[]).sort();

export function isCapability(value: unknown): value is Capability {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CAPABILITY_BITS, value);
}

export function capabilitiesToBits(caps: readonly Capability[]): number {
  let bits = 0;
  for (const c of caps) bits |= CAPABILITY_BITS[c];
  return bits;
}

/** Sorted capability names of a bit set; `["deny"]` when deny is set or nothing is granted. */
export function bitsToCapabilities(bits: number): Capability[] {
  if (bits & CAPABILITY_BITS.deny || bits === 0) return ['deny'];
  return SORTED_CAPABILITIES.filter((c) => bits & CAPABILITY_BITS[c]);
}

/** Everything but deny: what the root policy grants. */
export const ALL_GRANTS = capabilitiesToBits(SORTED_CAPABILITIES.filter((c) => c !== 'deny'));
