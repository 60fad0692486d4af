import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { globalArnOf } from '../../arn.js';
import { CLOUD_CREDENTIALS } from '../../cloud/credentials.js';
import type { HubConfig } from '../../config/load.js';
import type { IncomingHttp } from './request.js';
import { sendJson } from './shape.js';
import { verifySigV4, type SigningKey } from './sigv4.js';
import type { IamSettings } from './url-settings.js';

/** `requestContext.authorizer.iam` of an AWS_IAM function URL event, as Lambda fills it. */
export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: null;
  userArn: string;
  userId: string;
}

interface KnownKey extends SigningKey {
  identity: IamIdentity;
}

/** Lambda's answer when a function URL's auth refuses a request (the function is not invoked). */
const FORBIDDEN = { Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html' };

export function sendForbidden(reply: FastifyReply, requestId: string): FastifyReply {
  return sendJson(reply.header('x-amzn-RequestId', requestId).header('x-amzn-ErrorType', 'AccessDeniedException'), 403, FORBIDDEN);
}

/** Checks an AWS_IAM function URL request: the caller's identity, or why it is refused. */
export type UrlIamCheck = (incoming: IncomingHttp) => Promise<{ identity: IamIdentity } | { reason: string }>;

const checks = new WeakMap<IamSettings, UrlIamCheck>();

/** The check for the hub's `iam:` settings (one per config: the key table is built once). */
export function urlIamCheck(config: Pick<HubConfig, 'iam' | 'region' | 'accountId'>): UrlIamCheck {
  let check = checks.get(config.iam);
  if (!check) {
    const keys = knownKeys(config);
    check = async (incoming) => {
      const verdict = await verifySigV4(incoming, keys, { region: config.region, service: 'lambda' });
      return 'reason' in verdict ? verdict : { identity: keys.get(verdict.accessKeyId)!.identity };
    };
    checks.set(config.iam, check);
  }
  return check;
}

function knownKeys(config: Pick<HubConfig, 'iam' | 'accountId' | 'region'>): Map<string, KnownKey> {
  const entries = [...config.iam.credentials];
  if (config.iam.testCredentials) entries.unshift({ ...CLOUD_CREDENTIALS });
  return new Map(entries.map((entry) => [entry.accessKeyId, {
    ...entry,
    identity: identityOf(entry.accessKeyId, entry.userArn ?? globalArnOf(config.region, 'iam', config.accountId, 'root')),
  }]));
}

/**
 * The identity block for a key: the account from the ARN; for the root user the unique id is the
 * account id (as STS GetCallerIdentity says), for others an `AIDA…` id derived from the ARN.
 */
function identityOf(accessKey: string, userArn: string): IamIdentity {
  const accountId = userArn.split(':')[4];
  const userId = userArn.endsWith(':root')
    ? accountId
    : `AIDA${createHash('sha256').update(userArn).digest('hex').toUpperCase().slice(0, 17)}`;
  return { accessKey, accountId, callerId: userId, cognitoIdentity: null, principalOrgId: null, userArn, userId };
}
