import type { VapiAssistant, VoiceAgentPort } from '../../src/voice-agent/index.js';

/** Vapi's assistants, held in memory, for tests about agents rather than Vapi; records what it was asked. */
export class FakeVoiceAgent implements Pick<VoiceAgentPort, 'getAssistant'> {
  readonly assistants = new Map<string, VapiAssistant>();
  readonly lookups: string[] = [];

  addAssistant(id: string, name = `assistant ${id.slice(0, 8)}`): VapiAssistant {
    const assistant = { id, name };
    this.assistants.set(id, assistant);
    return assistant;
  }

  async getAssistant(id: string): Promise<VapiAssistant | null> {
    this.lookups.push(id);
    return this.assistants.get(id) ?? null;
  }
}
