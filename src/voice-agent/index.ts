export { VoiceAgentModule } from './voice-agent.module.js';
