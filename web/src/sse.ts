/** One Server-Sent Event (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * Parses a `text/event-stream` fed in chunks as they arrive. The page reads the live tail with
 * fetch() (an EventSource cannot send the Authorization header), so it parses the frames itself:
 * `field: value` lines, a blank line ends an event, lines starting with `:` are comments.
 */
export class SseParser {
  private pending = '';
  private started = false;
  private skipLineFeed = false;
  private data: string[] = [];
  private eventType = '';
  private id = '';
  /** The id of the last event (sent back as Last-Event-ID when reconnecting). */
  lastEventId = '';
  /** The reconnection time the server asked for, in milliseconds. */
  retry: number | undefined;

  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text !== '') {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    // A CR ended the previous chunk: a LF opening this one belongs to the same line break.
    if (this.skipLineFeed && text.startsWith('\n')) text = text.slice(1);
    this.skipLineFeed = false;
    const buffer = this.pending + text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const char = buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      const event = this.line(buffer.slice(start, i));
      if (event) events.push(event);
      if (char === '\r') {
        if (i + 1 === buffer.length) this.skipLineFeed = true;
        else if (buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.pending = buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    this.lastEventId = this.id;
    const data = this.data;
    const type = this.eventType;
    this.data = [];
    this.eventType = '';
    if (data.length === 0) return null;
    return { event: type || 'message', data: data.join('\n'), id: this.lastEventId };
  }
}
