/**
 * What a start that may fail half-way has done so far, undone newest first when it fails: each
 * step that opens something pushes how to close it. Undoing never throws; a step that fails is
 * handed to `onError` and the older steps still run.
 */
export interface UndoStack {
  push(step: () => unknown): void;
  /** Runs every step pushed, newest first, once; the stack is empty after. */
  unwind(onError?: (err: unknown) => void): Promise<void>;
}

export function createUndoStack(): UndoStack {
  const steps: Array<() => unknown> = [];
  return {
    push: (step) => { steps.push(step); },
    async unwind(onError) {
      for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
        try {
          await step();
        } catch (err) {
          onError?.(err);
        }
      }
    },
  };
}
