import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tempDir } from './paths.js';

/**
 * A stand-in for Amazon SNS's HTTP(S) delivery: a locally generated RSA key and self-signed
 * certificate (openssl), a loopback server that serves the certificate as
 * `/SimpleNotificationService-<name>.pem` (counting fetches) and answers SubscribeURL / UnsubscribeURL
 * requests (recording confirmations), and real-format, really signed messages POSTed with SNS's
 * headers. The canonical string is built as AWS documents it, independently of the hub's code.
 */

export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
export type SignedMessage = Record<string, unknown> & { Type: SnsType; MessageId: string; TopicArn: string };

export interface MessageOptions {
  topicArn: string;
  message?: string;
  subject?: string;
  attributes?: Record<string, { Type: string; Value: string }>;
  signatureVersion?: '1' | '2';
  messageId?: string;
  /** Certificate file name (a fresh name has never been fetched). */
  certName?: string;
  /** Host part of SigningCertURL / SubscribeURL instead of the fixture's own. */
  certHost?: string;
  subscribeHost?: string;
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

export class SnsFixture {
  /** `127.0.0.1:<port>`: what a hub lists in trustedCertHosts. */
  host = '';
  /** Fetches per request path (`/SimpleNotificationService-x.pem` → count). */
  readonly fetches = new Map<string, number>();
  /** Tokens of confirmed subscriptions (SubscribeURL requests). */
  readonly confirmations: string[] = [];
  private constructor(private readonly key: Buffer, readonly certificate: Buffer, private readonly server: Server) {}

  static async start(): Promise<SnsFixture> {
    const dir = tempDir('th-sns-');
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
    const key = readFileSync(keyFile);
    const certificate = readFileSync(certFile);
    let fixture: SnsFixture | undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://fixture');
      fixture!.fetches.set(url.pathname, (fixture!.fetches.get(url.pathname) ?? 0) + 1);
      if (url.pathname.endsWith('.pem')) return response.end(certificate);
      if (url.searchParams.get('Action') === 'ConfirmSubscription') {
        fixture!.confirmations.push(url.searchParams.get('Token') ?? '');
        return response.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
      }
      response.writeHead(404).end();
    });
    fixture = new SnsFixture(key, certificate, server);
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    fixture.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fixture;
  }

  certPath(certName = 'default'): string {
    return `/SimpleNotificationService-${certName}.pem`;
  }

  notification(options: MessageOptions): SignedMessage {
    const id = options.messageId ?? randomUUID();
    const message: SignedMessage = {
      Type: 'Notification',
      MessageId: id,
      TopicArn: options.topicArn,
      ...(options.subject === undefined ? {} : { Subject: options.subject }),
      Message: options.message ?? 'hello from sns',
      Timestamp: new Date().toISOString(),
      SignatureVersion: options.signatureVersion ?? '1',
      Signature: '',
      SigningCertURL: `http://${options.certHost ?? this.host}${this.certPath(options.certName)}`,
      UnsubscribeURL: `http://${this.host}/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}:${id}`,
      ...(options.attributes ? { MessageAttributes: options.attributes } : {}),
    };
    return this.sign(message);
  }

  /** A SubscriptionConfirmation or UnsubscribeConfirmation, with a Token and SubscribeURL. */
  confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', options: MessageOptions): SignedMessage {
    const token = randomUUID().replaceAll('-', '');
    const subscribeUrl = `http://${options.subscribeHost ?? this.host}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(options.topicArn)}&Token=${token}`;
    return this.sign({
      Type: type,
      MessageId: options.messageId ?? randomUUID(),
      Token: token,
      TopicArn: options.topicArn,
      Message: type === 'SubscriptionConfirmation'
        ? `You have chosen to subscribe to the topic ${options.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription to the topic ${options.topicArn}.`,
      SubscribeURL: subscribeUrl,
      Timestamp: new Date().toISOString(),
      SignatureVersion: options.signatureVersion ?? '1',
      Signature: '',
      SigningCertURL: `http://${options.certHost ?? this.host}${this.certPath(options.certName)}`,
    });
  }

  /** (Re-)signs a message over AWS's canonical string with its SignatureVersion's digest. */
  sign<T extends SignedMessage>(message: T): T {
    const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
    const canonical = fields.filter((f) => typeof message[f] === 'string').map((f) => `${f}\n${message[f] as string}\n`).join('');
    const digest = message.SignatureVersion === '2' ? 'sha256' : 'sha1';
    return { ...message, Signature: sign(digest, Buffer.from(canonical, 'utf8'), this.key).toString('base64') };
  }

  /** POSTs a message as SNS does: text/plain JSON body and the x-amz-sns-* headers. */
  post(url: string, message: SignedMessage | string, headers: Record<string, string | undefined> = {}): Promise<Response> {
    const body = typeof message === 'string' ? message : JSON.stringify(message, null, 2);
    const parsed = typeof message === 'string' ? undefined : message;
    const all: Record<string, string | undefined> = {
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': parsed?.Type,
      'x-amz-sns-message-id': parsed?.MessageId,
      'x-amz-sns-topic-arn': parsed?.TopicArn,
      ...(parsed?.Type === 'Notification' ? { 'x-amz-sns-subscription-arn': `${parsed.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55` } : {}),
      ...headers,
    };
    const sent = Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return fetch(url, { method: 'POST', headers: sent, body });
  }

  fetchCount(certName = 'default'): number {
    return this.fetches.get(this.certPath(certName)) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
