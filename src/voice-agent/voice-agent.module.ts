import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { TwilioConfig, VapiConfig } from '../config/index.js';
import { TenancyModule } from '../tenancy/index.js';
import { Agent } from './agents/agent.entity.js';
import { AgentsController } from './agents/agents.controller.js';
import { CreateAgentHandler } from './agents/create-agent/create-agent.handler.js';
import { DeleteAgentHandler } from './agents/delete-agent/delete-agent.handler.js';
import { FindAgentByAssistantHandler } from './agents/find-agent-by-assistant/find-agent-by-assistant.handler.js';
import { GetAgentHandler } from './agents/get-agent/get-agent.handler.js';
import { ListAgentsHandler } from './agents/list-agents/list-agents.handler.js';
import { CheckVapiRegistrationHandler } from './check-vapi-registration/check-vapi-registration.handler.js';
import { DetachFromVapiHandler } from './detach-from-vapi/detach-from-vapi.handler.js';
import { RegisterWithVapiHandler } from './register-with-vapi/register-with-vapi.handler.js';
import { UpdateVapiNumberHandler } from './update-vapi-number/update-vapi-number.handler.js';
import { VapiVoiceAgentAdapter } from './vapi/vapi-voice-agent.adapter.js';
import { VoiceAgentPort } from './voice-agent.port.js';
import { CallEventsPublisher } from './webhook/call-events.publisher.js';
import { VapiSecretGuard } from './webhook/vapi-secret.guard.js';
import { VapiWebhookController } from './webhook/vapi-webhook.controller.js';
import { VapiWebhookHandler } from './webhook/vapi-webhook.handler.js';

@Module({
  imports: [TenancyModule, MikroOrmModule.forFeature([Agent])],
  controllers: [AgentsController, VapiWebhookController],
  providers: [
    {
      provide: VoiceAgentPort,
      inject: [VapiConfig, TwilioConfig],
      useFactory: (vapi: VapiConfig, twilio: TwilioConfig) => new VapiVoiceAgentAdapter(vapi, twilio),
    },
    CreateAgentHandler,
    ListAgentsHandler,
    DeleteAgentHandler,
    GetAgentHandler,
    FindAgentByAssistantHandler,
    VapiWebhookHandler,
    VapiSecretGuard,
    CallEventsPublisher,
    RegisterWithVapiHandler,
    CheckVapiRegistrationHandler,
    UpdateVapiNumberHandler,
    DetachFromVapiHandler,
  ],
  exports: [VoiceAgentPort],
})
export class VoiceAgentModule {}
