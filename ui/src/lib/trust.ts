/**
 * What this browser remembers about the ledger, so a server cannot quietly swap its key or rewrite
 * its history between two visits: a verifier key the user pinned, and the last checkpoint verified
 * under each key (size and root). Neither is secret.
 */
export interface SeenCheckpoint { readonly key: string; readonly size: number; readonly root: string }
/**
 * `seen`: the last checkpoint verified under each key, one per key. Checkpoints of one key are
 * never replaced by another key's: a server that answers once with another key must not make the
 * browser forget what it verified under the real one.
 */
export interface Trust { readonly pinnedKey?: string; readonly seen?: readonly SeenCheckpoint[] }
