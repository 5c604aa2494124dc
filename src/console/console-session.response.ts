import { ApiProperty } from '@nestjs/swagger';

export class ConsoleAssistant {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'After-hours dispatcher' })
  name!: string;
}

/** What the console's page needs to know before anyone signs in. */
export class ConsoleSessionResponse {
  @ApiProperty({ enum: ['sandbox', 'live'], description: 'Where the numbers are bought.' })
  providerMode!: 'sandbox' | 'live';

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Sandbox mode with no authentication configured, asked from this machine (loopback address and host): a ' +
      'token for the demo tenant, as `npm start` prints it. Null otherwise, and always in production.',
  })
  developmentToken!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The sandbox's dashboards (the emulated Twilio and Vapi), in sandbox mode.",
  })
  sandboxDashboardUrl!: string | null;

  @ApiProperty({
    type: [ConsoleAssistant],
    description: "The emulated Vapi organization's assistants, in sandbox mode; empty in live mode.",
  })
  assistants!: ConsoleAssistant[];
}
