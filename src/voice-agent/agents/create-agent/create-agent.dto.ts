import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length, Matches } from 'class-validator';
import { DISPLAY_NAME, DISPLAY_NAME_MESSAGE } from '../../../shared/validation/display-name.js';

export class CreateAgentDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'After-hours receptionist' })
  @IsString()
  @Length(1, 100)
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_MESSAGE })
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The id of an assistant in our Vapi organization.' })
  @IsUUID('all')
  vapiAssistantId!: string;
}
