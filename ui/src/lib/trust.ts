/**
 * What this browser remembers about the ledger, so a server cannot quietly swap its key or rewrite
 * its history between two visits: a verifier key the user pinned, and the last checkpoint verified
 * under each key (size and root). Neither is secret.
 */
export interface SeenCheckpoint { readonly key: string; readonly size: number; readonly root: string }
export interface Trust { readonly pinnedKey?: string; readonly seen?: SeenCheckpoint }
