/** The tree size a signed checkpoint names (its second line), read before any proof is asked for. */
export function parseCheckpointSize(note: string): number {
  const line = note.split('\n')[1] ?? '';
  if (!/^(0|[1-9]\d{0,15})$/.test(line)) throw new Error('the checkpoint has no tree size');
  return Number(line);
}
