/**
 * One connection for several uses, opened by the first and ended by `close()`. Uses run one after
 * another (pg warns about a query sent while another runs); each sees the connection's failure,
 * or its own, classified as the engine classifies it.
 */
export interface SharedConnection<C> {
  use<T>(use: (client: C) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectionDriver<C> {
  /** Connects, or rejects with an error already classified. */
  connect(): Promise<C>;
  end(client: C): Promise<void>;
  /** A failure of a use, as the engine reports it. */
  classify(error: unknown): Error;
}

export function shareConnection<C>(driver: ConnectionDriver<C>): SharedConnection<C> {
  let opened: Promise<C> | undefined;
  let closed = false;
  let previous: Promise<unknown> = Promise.resolve();
  return {
    use(use) {
      const turn = previous.then(async () => {
        if (closed) throw new Error('the shared connection was closed');
        opened ??= driver.connect();
        const client = await opened;
        try {
          return await use(client);
        } catch (error) {
          throw driver.classify(error);
        }
      });
      previous = turn.catch(() => undefined);
      return turn;
    },
    async close() {
      closed = true;
      await previous;
      const client = await opened?.catch(() => undefined);
      if (client !== undefined) await driver.end(client).catch(() => undefined);
    },
  };
}
