import { lambdaAuthorizer, textList, TOKEN_ISSUER_WARNING, type AuthorizerOrigin } from './authorizers.js';
import type { Stack } from './stack.js';
import { frameworkBoolean } from './serverless-variables.js';
import { isObject } from '../own.js';

/**
 * serverless.yml authorizers → the hub's route `authorizer`, with the Framework's defaults: an `http`
 * event's `authorizer` (a function of the service, by name, TOKEN or REQUEST) and an `httpApi`
 * event's `authorizer: { name }` of `provider.httpApi.authorizers` (`type: request`). Authorizers
 * of other services (`arn`, `functionArn`, `id`), Cognito, JWT and `aws_iam` are a warning: the
 * route is open.
 */
type Props = Record<string, unknown>;
type Warn = (message: string) => void;

const OTHER_SERVICE = 'an authorizer of another service is not run locally: the route is open';
/** The Framework's names of an authorizer's settings, for errors. */
const NAMES: AuthorizerOrigin['names'] = { identitySource: 'identitySource', validationExpression: 'identityValidationExpression', resultTtlInSeconds: 'resultTtlInSeconds' };

/** An `http` event's `authorizer`: a function name, an ARN, `aws_iam`, or `{ name, arn, type, identitySource, identityValidationExpression, resultTtlInSeconds }`. */
export function frameworkRestAuthorizer(stack: Stack, value: unknown, at: string, warn: Warn): Props | undefined {
  const props = isObject(value) ? value : String(value).startsWith('arn:') ? { arn: value } : { name: value };
  const type = String(props.type ?? (value === 'aws_iam' ? 'aws_iam' : 'token')).toLowerCase();
  if (type === 'aws_iam') {
    warn(`${at}: aws_iam (SigV4) authorization of REST routes is not checked locally: the route is open`);
    return undefined;
  }
  if (type === 'cognito_user_pools' || String(props.arn ?? '').includes(':cognito-idp:')) {
    warn(`${at}: a Cognito user pool authorizer ${TOKEN_ISSUER_WARNING}`);
    return undefined;
  }
  if (props.arn !== undefined) {
    warn(`${at}.arn: ${OTHER_SERVICE}`);
    return undefined;
  }
  if (props.name === undefined || props.name === null) throw stack.resolver.error(`${at}.name`, 'is required: the function of this service that authorizes (or arn: of another)');
  const sources = props.identitySource === undefined ? ['method.request.header.Authorization'] : textList(props.identitySource);
  const validation = props.identityValidationExpression === undefined ? {} : { validationExpression: String(props.identityValidationExpression) };
  return lambdaAuthorizer({ stack, at, names: NAMES }, String(props.name), sources, props.resultTtlInSeconds, type === 'request' ? { type: 'REQUEST' } : { type: 'TOKEN', ...validation });
}

/** An `httpApi` event's `authorizer` (`name` or `{ name, scopes, type: aws_iam, id }`), by `provider.httpApi.authorizers`. */
export function frameworkHttpAuthorizer(stack: Stack, value: unknown, input: { authorizers?: Props; routePayload: string; at: string; warn: Warn }): Props | undefined {
  const { at, warn } = input;
  const props = isObject(value) ? value : { name: value };
  if (props.type === 'aws_iam') {
    warn(`${at}: aws_iam (SigV4) authorization of HTTP API routes is not checked locally: the route is open`);
    return undefined;
  }
  if (props.id !== undefined) {
    warn(`${at}.id: ${OTHER_SERVICE}`);
    return undefined;
  }
  const name = String(props.name);
  const authorizers = new Map(Object.entries(input.authorizers ?? {}));
  const definition = authorizers.get(name);
  if (!isObject(definition)) {
    throw stack.resolver.error(`${at}.name`, `${name} is not one of provider.httpApi.authorizers (${[...authorizers.keys()].join(', ') || 'none'})`);
  }
  const where = `provider.httpApi.authorizers.${name}`;
  if (definition.type !== 'request') {
    warn(`${where}: a JWT authorizer ${TOKEN_ISSUER_WARNING}`);
    return undefined;
  }
  if (definition.functionName === undefined) {
    warn(definition.functionArn === undefined ? `${where}: names no functionName: the route is open` : `${where}.functionArn: ${OTHER_SERVICE}`);
    return undefined;
  }
  const version = String(definition.payloadVersion ?? '2.0');
  const simple = frameworkBoolean(definition.enableSimpleResponses) === true;
  if (simple && version !== '2.0') throw stack.resolver.error(`${where}.enableSimpleResponses`, 'needs payloadVersion 2.0 (API Gateway refuses simple responses with 1.0)');
  if (version !== input.routePayload) warn(`${where}.payloadVersion: ${version}: locally the authorizer gets the route's payload format ${input.routePayload}`);
  return lambdaAuthorizer({ stack, at: where, names: NAMES }, String(definition.functionName), textList(definition.identitySource), definition.resultTtlInSeconds, { enableSimpleResponses: simple });
}
