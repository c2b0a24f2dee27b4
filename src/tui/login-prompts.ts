// The TUI's prompt broker: a server's question during a login (a one-time code, mostly) waits here
// until the modal (components/LoginPrompt.tsx) shows it and the user answers or cancels. Questions
// are shown one at a time, in the order they came (two clusters logging in at once, or two hops of
// one login); the answer goes straight to the waiting login and is kept nowhere.
import type { PromptBroker, PromptRequest } from "../transport/openssh/prompt-broker.js";

/** The question shown now; `id` tells one question from the next (the modal starts empty for each). */
export interface LoginQuestion {
  id: number;
  request: PromptRequest;
}

export interface LoginQuestions {
  subscribe(fn: () => void): () => void;
  current(): LoginQuestion | null;
  /** Answers the question shown now: the typed text, or null when the user cancels. */
  answer(id: number, text: string | null): void;
}

export class LoginPrompts implements PromptBroker, LoginQuestions {
  private waiting: (LoginQuestion & { resolve: (answer: string | null) => void })[] = [];
  private listeners = new Set<() => void>();
  private nextId = 1;
  private closed = false;

  ask(request: PromptRequest): Promise<string | null> {
    // the TUI is closing, or the login already gave up: nobody is to see the question
    if (this.closed || request.signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const question = { id: this.nextId++, request, resolve };
      this.waiting.push(question);
      if (this.waiting.length === 1) this.changed();
      // the login stopped waiting (ssh timed out, the engine stopped): the question goes away,
      // so a code is never typed into a login that is over
      request.signal?.addEventListener("abort", () => this.withdraw(question.id), { once: true });
    });
  }

  private withdraw(id: number): void {
    const i = this.waiting.findIndex((q) => q.id === id);
    if (i < 0) return;
    const [question] = this.waiting.splice(i, 1);
    question?.resolve(null);
    if (i === 0) this.changed();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  current = (): LoginQuestion | null => this.waiting[0] ?? null;

  answer(id: number, text: string | null): void {
    const first = this.waiting[0];
    if (!first || first.id !== id) return; // an answer to a question already gone
    this.waiting.shift();
    first.resolve(text);
    this.changed();
  }

  /** The TUI closes: every question still open is cancelled, so no login waits for ever. */
  close(): void {
    this.closed = true;
    const open = this.waiting;
    this.waiting = [];
    for (const q of open) q.resolve(null);
    if (open.length > 0) this.changed();
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}
