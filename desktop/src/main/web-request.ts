import { isAppUrl } from './app-pages.ts';
import type { AgentCredential } from './auth-headers.ts';
import { withAgentAuth, withAgentCors } from './auth-headers.ts';

/** The parts of Electron's `webRequest` details that the hooks read. */
export interface BeforeSendHeadersDetails {
  readonly url: string;
  readonly requestHeaders: Record<string, string>;
}

export interface HeadersReceivedDetails {
  readonly url: string;
  readonly method: string;
  /** `mainFrame` for a page itself. */
  readonly resourceType?: string;
  readonly responseHeaders?: Record<string, string[]>;
}

export interface WebRequestContext {
  readonly appOrigin: string;
  agents(): readonly AgentCredential[];
  /** The Content-Security-Policy for the app's pages right now. */
  policy(): string;
  /** Told the policy each app page (main frame) was served with. */
  onPolicyServed?(policy: string): void;
}

/**
 * The two session hooks of the main process, as plain functions of Electron's details:
 * `onBeforeSendHeaders` adds an agent's token (HTTP and WebSocket upgrades from the app's
 * pages); `onHeadersReceived` adds CORS to agents' answers and the CSP to the app's own pages
 * (the dev server's; the packaged pages get it from the app:// protocol handler too).
 * An empty object tells Electron to leave the request or response unchanged.
 */
export function createWebRequestHooks(context: WebRequestContext) {
  return {
    beforeSendHeaders(details: BeforeSendHeadersDetails): { requestHeaders?: Record<string, string> } {
      const headers = withAgentAuth(
        { url: details.url, headers: details.requestHeaders },
        { appOrigin: context.appOrigin, agents: context.agents() },
      );
      return headers ? { requestHeaders: headers } : {};
    },
    headersReceived(details: HeadersReceivedDetails): { responseHeaders?: Record<string, string[]> } {
      if (isAppUrl(details.url, context.appOrigin)) {
        const policy = context.policy();
        if (details.resourceType === 'mainFrame') context.onPolicyServed?.(policy);
        const headers = Object.fromEntries(
          Object.entries(details.responseHeaders ?? {}).filter(
            ([name]) => name.toLowerCase() !== 'content-security-policy',
          ),
        );
        return { responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } };
      }
      const headers = withAgentCors(
        { url: details.url, method: details.method, headers: details.responseHeaders },
        { appOrigin: context.appOrigin, agents: context.agents() },
      );
      return headers ? { responseHeaders: headers } : {};
    },
  };
}
