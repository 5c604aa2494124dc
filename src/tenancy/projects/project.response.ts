import { ApiProperty } from '@nestjs/swagger';
import { PageResponse } from '../../shared/pagination/page-query.dto.js';
import type { Project } from './project.entity.js';

export class ProjectResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Smith Plumbing' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: '+14155550123' })
  fallbackNumber!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static of(project: Project): ProjectResponse {
    return {
      id: project.id,
      name: project.name,
      fallbackNumber: project.fallbackNumber,
      createdAt: project.createdAt.toISOString(),
      updatedAt: project.updatedAt.toISOString(),
    };
  }
}

export class ProjectListResponse extends PageResponse {
  @ApiProperty({ type: [ProjectResponse] })
  items!: ProjectResponse[];
}
