import { Module } from '@nestjs/common';
import { TwilioConfig } from '../config/index.js';
import { TelephonyPort } from './telephony.port.js';
import { TwilioTelephonyAdapter } from './twilio/twilio-telephony.adapter.js';

@Module({
  providers: [
    {
      provide: TelephonyPort,
      inject: [TwilioConfig],
      useFactory: (twilio: TwilioConfig) => new TwilioTelephonyAdapter(twilio),
    },
  ],
  exports: [TelephonyPort],
})
export class TelephonyModule {}
