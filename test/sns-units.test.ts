import { describe, expect, it } from 'vitest';
import { canonicalString } from '../src/sources/sns/message.js';
import { defaultSnsHost, snsSettingsSchema, trustOf } from '../src/sources/sns/settings.js';
import { trustedUrl } from '../src/sources/sns/trust.js';

describe('SNS units: canonical string, trust rules, settings', () => {
  it('builds the canonical string AWS signs, per message type, leaving out an absent Subject', () => {
    const base = { Message: 'm\nx', MessageId: 'id', Timestamp: 't', TopicArn: 'arn', Signature: 's', SigningCertURL: 'u', UnsubscribeURL: 'un' };
    expect(canonicalString({ ...base, Type: 'Notification', Subject: 'sub' }))
      .toBe('Message\nm\nx\nMessageId\nid\nSubject\nsub\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n');
    expect(canonicalString({ ...base, Type: 'Notification' }))
      .toBe('Message\nm\nx\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n');
    expect(canonicalString({ ...base, Type: 'SubscriptionConfirmation', Token: 'tok', SubscribeURL: 'su', Subject: 'ignored' }))
      .toBe('Message\nm\nx\nMessageId\nid\nSubscribeURL\nsu\nTimestamp\nt\nToken\ntok\nTopicArn\narn\nType\nSubscriptionConfirmation\n');
  });

  it('trusts https URLs on listed hosts; host:port entries match that port only; http only when allowed', () => {
    const hosts = ['sns.us-east-1.amazonaws.com', '127.0.0.1:4566'];
    const check = (url: string, allowHttp = false) => () => trustedUrl(url, hosts, allowHttp, 'untrusted_cert_url', 'SigningCertURL');
    expect(check('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem')).not.toThrow();
    expect(check('https://SNS.us-east-1.amazonaws.com:443/x.pem')).not.toThrow();
    expect(check('https://sns.us-east-1.amazonaws.com:8443/x.pem')).toThrow(/host sns.us-east-1.amazonaws.com:8443 is not trusted/);
    expect(check('https://sns.us-east-1.amazonaws.com.evil.example/x.pem')).toThrow(/is not trusted/);
    expect(check('http://sns.us-east-1.amazonaws.com/x.pem')).toThrow(/must use https/);
    expect(check('http://127.0.0.1:4566/x.pem', true)).not.toThrow();
    expect(check('http://127.0.0.1/x.pem', true)).toThrow(/host 127.0.0.1 is not trusted/);
    expect(check('https://user:pw@sns.us-east-1.amazonaws.com/x.pem')).toThrow(/credentials/);
    expect(check('not a url')).toThrow(/is not a URL/);
  });

  it('defaults the trusted hosts to the topic region\'s SNS host (China partition too)', () => {
    expect(defaultSnsHost('arn:aws:sns:eu-west-1:123456789012:t')).toBe('sns.eu-west-1.amazonaws.com');
    expect(defaultSnsHost('arn:aws-cn:sns:cn-north-1:123456789012:t')).toBe('sns.cn-north-1.amazonaws.com.cn');
    const settings = snsSettingsSchema.parse({ topic: 'arn:aws:sns:us-west-2:123456789012:t', trustedCertHosts: ['LOCALHOST.localstack.cloud:4566'] });
    expect(settings).toMatchObject({ autoConfirm: true, allowHttp: false });
    expect(trustOf(settings)).toEqual({ certHosts: ['localhost.localstack.cloud:4566'], subscribeHosts: ['localhost.localstack.cloud:4566'], allowHttp: false });
    expect(trustOf(snsSettingsSchema.parse({ topic: 'arn:aws:sns:us-west-2:123456789012:t' })).certHosts).toEqual(['sns.us-west-2.amazonaws.com']);
  });
});
