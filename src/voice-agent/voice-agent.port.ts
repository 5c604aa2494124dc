/** An assistant as Vapi holds it; only what this service reads. */
export interface VapiAssistant {
  id: string;
  name: string | null;
}

/**
 * Everything this service asks of Vapi. An abstract class, so that it is also the DI token; the adapter
 * (`vapi/vapi-voice-agent.adapter.ts`) speaks to Vapi's API or to the sandbox over HTTP.
 */
export abstract class VoiceAgentPort {
  /** The assistant with this id in our Vapi organization, or null when Vapi has none. */
  abstract getAssistant(id: string): Promise<VapiAssistant | null>;
}
