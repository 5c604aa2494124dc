import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length, Matches } from 'class-validator';

export class CreateAgentDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'After-hours receptionist' })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The id of an assistant in our Vapi organization.' })
  @IsUUID('all')
  vapiAssistantId!: string;
}
