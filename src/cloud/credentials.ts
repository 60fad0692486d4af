/** What handlers and the hub's own clients sign with against the embedded emulators (they accept any; s3rver knows this pair). */
export const CLOUD_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
