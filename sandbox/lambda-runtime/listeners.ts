// A tiny listener list. A listener that throws does not corrupt the runtime's bookkeeping: the
// error is rethrown on its own tick, so a bug in a listener is still loud.

export type Unsubscribe = () => void;

export class Listeners<T> {
  readonly #callbacks = new Set<(value: T) => void>();

  add(callback: (value: T) => void): Unsubscribe {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }

  emit(value: T): void {
    for (const callback of this.#callbacks) {
      try {
        callback(value);
      } catch (error) {
        setImmediate(() => {
          throw error;
        });
      }
    }
  }
}
