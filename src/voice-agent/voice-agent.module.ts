import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { TwilioConfig, VapiConfig } from '../config/index.js';
import { VapiVoiceAgentAdapter } from './vapi/vapi-voice-agent.adapter.js';
import { VoiceAgentPort } from './voice-agent.port.js';

@Module({
  providers: [
    {
      provide: VoiceAgentPort,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        new VapiVoiceAgentAdapter(
          config.getOrThrow<VapiConfig>('providers.vapi'),
          config.getOrThrow<TwilioConfig>('providers.twilio'),
        ),
    },
  ],
  exports: [VoiceAgentPort],
})
export class VoiceAgentModule {}
