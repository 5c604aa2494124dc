import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { TenancyModule } from '../tenancy/index.js';
import { Agent } from './agents/agent.entity.js';
import { AgentsController } from './agents/agents.controller.js';
import { CreateAgentHandler } from './agents/create-agent/create-agent.handler.js';
import { DeleteAgentHandler } from './agents/delete-agent/delete-agent.handler.js';
import { GetAgentHandler } from './agents/get-agent/get-agent.handler.js';
import { ListAgentsHandler } from './agents/list-agents/list-agents.handler.js';
import { CallEventsPublisher } from './webhook/call-events.publisher.js';
import { VapiSecretGuard } from './webhook/vapi-secret.guard.js';
import { VapiWebhookController } from './webhook/vapi-webhook.controller.js';
import { VapiWebhookHandler } from './webhook/vapi-webhook.handler.js';

@Module({
  imports: [TenancyModule, MikroOrmModule.forFeature([Agent])],
  controllers: [AgentsController, VapiWebhookController],
  providers: [
    CreateAgentHandler,
    ListAgentsHandler,
    DeleteAgentHandler,
    GetAgentHandler,
    VapiWebhookHandler,
    VapiSecretGuard,
    CallEventsPublisher,
  ],
})
export class VoiceAgentModule {}
