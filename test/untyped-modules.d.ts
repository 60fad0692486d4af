// Test peers and tools that ship without type declarations: the parts the tests use.
// (s3rver and kinesalite: src/cloud/untyped-modules.d.ts, the local cloud runs them.)
declare module 'autocannon';
