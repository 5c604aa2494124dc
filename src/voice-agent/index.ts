export { VoiceAgentModule } from './voice-agent.module.js';
export { VoiceAgentPort, type VapiAssistant } from './voice-agent.port.js';
