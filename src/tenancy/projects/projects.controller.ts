import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAuthenticatedProblems, ApiProblem } from '../../shared/http/api-problem.decorator.js';
import { parseId } from '../../shared/http/parse-id.pipe.js';
import { PageQueryDto } from '../../shared/pagination/page-query.dto.js';
import { TenantScope } from '../tenant-scope/tenant-scope.js';
import { CreateProjectCommand } from './create-project/create-project.command.js';
import { CreateProjectDto } from './create-project/create-project.dto.js';
import { GetProjectQuery } from './get-project/get-project.query.js';
import { ListProjectsQuery } from './list-projects/list-projects.query.js';
import { ProjectListResponse, ProjectResponse } from './project.response.js';
import { UpdateProjectCommand } from './update-project/update-project.command.js';
import { UpdateProjectDto } from './update-project/update-project.dto.js';

const NOT_FOUND = "No project with this id in your tenant (another tenant's project looks the same).";

@ApiTags('projects')
@ApiBearerAuth()
@ApiAuthenticatedProblems()
@Controller('api/projects')
export class ProjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ProjectResponse })
  @ApiProblem(400, ['VALIDATION.FAILED', 'REQUEST.MALFORMED_BODY'], 'The body is not valid.')
  create(@Body() body: CreateProjectDto): Promise<ProjectResponse> {
    return this.commands.execute(
      new CreateProjectCommand(this.scope.tenantId, body.name, body.fallbackNumber ?? null),
    );
  }

  @Get()
  @ApiOkResponse({ type: ProjectListResponse, description: 'A page of projects, oldest first.' })
  @ApiProblem(400, ['VALIDATION.FAILED'], 'The cursor or limit is not valid.')
  list(@Query() page: PageQueryDto): Promise<ProjectListResponse> {
    return this.queries.execute(new ListProjectsQuery(page));
  }

  @Get(':projectId')
  @ApiOkResponse({ type: ProjectResponse })
  @ApiProblem(400, ['REQUEST.INVALID_ID'], 'The project id is not a UUID.')
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], NOT_FOUND)
  get(@Param('projectId', parseId('projectId')) projectId: string): Promise<ProjectResponse> {
    return this.queries.execute(new GetProjectQuery(projectId));
  }

  @Patch(':projectId')
  @HttpCode(200)
  @ApiOkResponse({ type: ProjectResponse })
  @ApiProblem(
    400,
    ['REQUEST.INVALID_ID', 'VALIDATION.FAILED', 'REQUEST.MALFORMED_BODY'],
    'The id or body is not valid.',
  )
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], NOT_FOUND)
  update(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Body() body: UpdateProjectDto,
  ): Promise<ProjectResponse> {
    return this.commands.execute(new UpdateProjectCommand(projectId, body));
  }
}
