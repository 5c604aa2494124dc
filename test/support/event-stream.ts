/** One Server-Sent Event as a client receives it. */
export interface StreamedEvent {
  id?: string;
  event: string;
  data: unknown;
}

/**
 * Reads a `text/event-stream` answer to its end, as an EventSource would parse it (`event`, `data` as JSON, `id`;
 * comment lines skipped), calling `onEvent` as each arrives.
 */
export async function readEventStream(
  response: Response,
  onEvent: (event: StreamedEvent) => void | Promise<void> = () => undefined,
): Promise<StreamedEvent[]> {
  const events: StreamedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: StreamedEvent = { event: 'message', data: undefined };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const at = line.indexOf(':');
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      event.data = JSON.parse(data.join('\n'));
      events.push(event);
      await onEvent(event);
    }
  }
  return events;
}
