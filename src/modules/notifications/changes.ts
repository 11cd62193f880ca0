/**
 * Readers whose notifications changed in this process (new ones written by the consumer or a
 * fan-out here, some marked read by a request here): what the live unread counts listen to.
 * Changes made on other nodes reach them by their own poll.
 */
import type { AppContext } from '../../context.ts';

type Listener = (userIds: readonly number[]) => void;

const listeners = new WeakMap<AppContext, Set<Listener>>();

/** Listens for changes; returns the function that stops listening. */
export function onNotificationChange(ctx: AppContext, listener: Listener): () => void {
  let set = listeners.get(ctx);
  if (!set) {
    set = new Set();
    listeners.set(ctx, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Tells the listeners that these readers' notifications changed (after the commit). */
export function notificationsChanged(ctx: AppContext, userIds: readonly number[]): void {
  if (userIds.length === 0) return;
  for (const listener of listeners.get(ctx) ?? []) listener(userIds);
}
