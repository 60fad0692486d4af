import { z } from 'zod';
import { corsSchema } from './settings.js';

/**
 * A function's URL (`/urls/<fn>`), AWS's FunctionUrlConfig camelCased. `authType` defaults to
 * NONE (every function has its URL here, open unless it says otherwise; SAM requires AuthType,
 * and the project loaders always pass it on). `cors` makes the hub answer preflights itself and
 * add the Access-Control-* headers to responses, as Lambda does.
 */
export const functionUrlSchema = z.object({
  invokeMode: z.enum(['BUFFERED', 'RESPONSE_STREAM'], { error: "must be 'BUFFERED' or 'RESPONSE_STREAM'" }).default('BUFFERED'),
  authType: z.enum(['NONE', 'AWS_IAM'], { error: "must be 'NONE' or 'AWS_IAM'" }).default('NONE'),
  cors: corsSchema.optional(),
}).strict();

const ACCESS_KEY_ID = /^[A-Za-z0-9]{1,128}$/;
const USER_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/:-]+$/;

/** One identity an AWS_IAM function URL accepts: the key pair a client signs with, and who it is. */
const iamCredentialSchema = z.object({
  accessKeyId: z.string().regex(ACCESS_KEY_ID, { error: 'must hold 1-128 letters and digits' }),
  secretAccessKey: z.string().min(1, { error: 'must not be empty' }),
  /** The caller as IAM names it (`arn:aws:iam::<account>:user/<name>`); default the hub account's root. */
  userArn: z.string().regex(USER_ARN, { error: 'must be an IAM or STS ARN, e.g. arn:aws:iam::123456789012:user/alice' }).optional(),
}).strict();

/**
 * `iam:` (hub level): the credentials AWS_IAM function URLs verify SigV4 signatures against. The
 * local cloud's test pair (`test`/`test`, what handlers and the AWS CLI get) is accepted unless
 * `testCredentials: false`.
 */
export const iamSettingsSchema = z.object({
  testCredentials: z.boolean({ error: 'must be true or false' }).default(true),
  credentials: z.array(iamCredentialSchema).default([]),
}).strict()
  .refine((iam) => new Set(iam.credentials.map((c) => c.accessKeyId)).size === iam.credentials.length, { error: 'credentials: each accessKeyId may appear once' });

export type FunctionUrlSettings = z.infer<typeof functionUrlSchema>;
export type IamSettings = z.infer<typeof iamSettingsSchema>;
