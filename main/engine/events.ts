import type { EventName, EventPayload } from '../../shared/api';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Fan-out of engine events to the shells (IPC, WebSocket) and to tests. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) listener(event, payload);
  }

  /** Listens to one event, typed by its name; returns the way to stop. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.listen((name: EventName, payload: unknown) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }

  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
