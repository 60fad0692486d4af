// Emulators the local cloud runs that ship without type declarations: the parts used here and in tests.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  export default class S3rver extends EventEmitter {
    constructor(options: Record<string, unknown>);
    run(): Promise<import('node:net').AddressInfo>;
    close(): Promise<void>;
    httpServer: import('node:http').Server;
    store: import('./s3rver-atomic-put.js').S3rverFileStore;
  }
}
declare module 's3rver/lib/models/account.js';
declare module 'kinesalite';
