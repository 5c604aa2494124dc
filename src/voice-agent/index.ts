export { VoiceAgentModule } from './voice-agent.module.js';
export {
  VoiceAgentPort,
  type VapiAssistant,
  type VapiCredential,
  type VapiFallbackDestination,
  type VapiNumberConnection,
  type VapiPhoneNumber,
  type VapiPhoneNumberChanges,
  type VapiPhoneNumberRegistration,
  type VapiServerSettings,
} from './voice-agent.port.js';
export { NumberDirectory, type VapiNumberKey, type VapiNumberRoute } from './number-directory.port.js';
export { GetAgentQuery } from './agents/get-agent/get-agent.query.js';
export type { AgentResponse } from './agents/agent.response.js';
export { CallStartedEvent } from './webhook/events/call-started.event.js';
export { CallEndedEvent } from './webhook/events/call-ended.event.js';
export {
  RegisterWithVapiCommand,
  type VapiRegistrationRequest,
} from './register-with-vapi/register-with-vapi.command.js';
export { CheckVapiRegistrationQuery } from './check-vapi-registration/check-vapi-registration.query.js';
export { UpdateVapiNumberCommand } from './update-vapi-number/update-vapi-number.command.js';
export { DetachFromVapiCommand } from './detach-from-vapi/detach-from-vapi.command.js';
export { FindAgentByAssistantQuery } from './agents/find-agent-by-assistant/find-agent-by-assistant.query.js';
export { settingsDrift, type VapiNumberSetting } from './register-with-vapi/vapi-number-settings.js';
