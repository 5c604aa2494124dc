export { VoiceAgentModule } from './voice-agent.module.js';
export {
  VoiceAgentPort,
  type VapiAssistant,
  type VapiFallbackDestination,
  type VapiPhoneNumber,
  type VapiPhoneNumberChanges,
  type VapiPhoneNumberRegistration,
  type VapiServerSettings,
} from './voice-agent.port.js';
export * from './voice-agent.errors.js';
export { VapiVoiceAgentAdapter } from './vapi/vapi-voice-agent.adapter.js';
