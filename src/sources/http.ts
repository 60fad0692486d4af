import type { FunctionConfig, HubConfig } from '../config/load.js';
import { registerRoute } from './http/route.js';
import { httpSettingsSchema, type HttpSettings } from './http/settings.js';
import type { Source, SourceContext, SourceKind } from './source.js';

export { httpSettingsSchema };

/** Every function's default URL: `/urls/<fn>` and everything under it, any method, no auth. */
export const DEFAULT_URL_PREFIX = '/urls';

export function registerDefaultUrls(context: SourceContext, config: HubConfig): void {
  for (const fn of Object.values(config.functions)) {
    const prefix = `${DEFAULT_URL_PREFIX}/${fn.name}`;
    for (const path of [prefix, `${prefix}/{proxy+}`]) {
      registerRoute(context, { fn, path, methods: ['ANY'], routeKey: () => '$default', stripPrefix: prefix });
    }
  }
}

/** `events: - http: { path, methods, cors, auth }`: a route on the hub's server, invoked synchronously. */
class HttpRouteSource implements Source {
  readonly id: string;

  constructor(private readonly fn: FunctionConfig, private readonly settings: HttpSettings, index: number) {
    this.id = `http:${fn.name}:${index}`;
  }

  async start(context: SourceContext): Promise<void> {
    const { path, methods, cors, auth } = this.settings;
    registerRoute(context, { fn: this.fn, path, methods, cors, auth, routeKey: (method) => `${methods.includes('ANY') ? 'ANY' : method} ${path}` });
  }

  /** Intake stops when the hub's HTTP server closes; nothing of its own to stop. */
  async stop(): Promise<void> {}
}

export const httpKind: SourceKind<HttpSettings> = {
  create: (fn, settings, index) => new HttpRouteSource(fn, settings, index),
};
