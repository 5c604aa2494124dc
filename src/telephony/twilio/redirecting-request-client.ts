import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * The SDK's own request client, with `https://api.twilio.com` (and any other `*.twilio.com` host) rewritten
 * to another base URL: a custom `httpClient`, the maintainers' documented way to point twilio-node at a mock
 * (https://github.com/twilio/twilio-node/blob/main/advanced-examples/custom-http-client.md).
 * Paging works through it, because the SDK sends `next_page_uri` through the same client.
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts?: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/[^/]+\.twilio\.com/, this.baseUrl.replace(/\/+$/, '')),
    });
  }
}
