import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { TwilioConfig } from '../config/index.js';
import { TelephonyPort } from './telephony.port.js';
import { TwilioTelephonyAdapter } from './twilio/twilio-telephony.adapter.js';

@Module({
  providers: [
    {
      provide: TelephonyPort,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        new TwilioTelephonyAdapter(config.getOrThrow<TwilioConfig>('providers.twilio')),
    },
  ],
  exports: [TelephonyPort],
})
export class TelephonyModule {}
