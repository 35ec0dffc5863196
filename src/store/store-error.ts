// The lowdb store's one error: a data directory or file it must not or cannot use.
import { EgressError } from '../errors.js';

export class StoreError extends EgressError {
  constructor(message: string) {
    super('data', message);
  }
}
