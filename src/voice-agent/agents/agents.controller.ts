import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuthenticatedProblems, ApiProblem } from '../../shared/http/api-problem.decorator.js';
import { parseId } from '../../shared/http/parse-id.pipe.js';
import { PageQueryDto } from '../../shared/pagination/page-query.dto.js';
import { TenantScope } from '../../tenancy/index.js';
import { AgentListResponse, AgentResponse } from './agent.response.js';
import { CreateAgentCommand } from './create-agent/create-agent.command.js';
import { CreateAgentDto } from './create-agent/create-agent.dto.js';
import { DeleteAgentCommand } from './delete-agent/delete-agent.command.js';
import { ListAgentsQuery } from './list-agents/list-agents.query.js';

const PROJECT_NOT_FOUND = "No project with this id in your tenant (another tenant's project looks the same).";

@ApiTags('agents')
@ApiBearerAuth()
@ApiAuthenticatedProblems()
@ApiProblem(400, ['REQUEST.INVALID_ID'], 'An id in the path is not a UUID.')
@Controller('api/projects/:projectId/agents')
export class AgentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly scope: TenantScope,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: AgentResponse })
  @ApiProblem(400, ['VALIDATION.FAILED', 'REQUEST.MALFORMED_BODY'], 'The body is not valid.')
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], PROJECT_NOT_FOUND)
  @ApiProblem(422, ['AGENTS.ASSISTANT_NOT_FOUND'], 'Vapi has no assistant with this id in our organization.')
  @ApiProblem(
    429,
    ['RATE_LIMITED'],
    'More than TENANT_AGENT_CREATIONS_PER_MINUTE creations a minute; see Retry-After.',
  )
  create(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Body() body: CreateAgentDto,
  ): Promise<AgentResponse> {
    return this.commands.execute(
      new CreateAgentCommand(this.scope.tenantId, projectId, body.name, body.vapiAssistantId),
    );
  }

  @Get()
  @ApiOkResponse({ type: AgentListResponse, description: "A page of the project's agents, oldest first." })
  @ApiProblem(400, ['VALIDATION.FAILED'], 'The cursor or limit is not valid.')
  @ApiProblem(404, ['PROJECTS.NOT_FOUND'], PROJECT_NOT_FOUND)
  list(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Query() page: PageQueryDto,
  ): Promise<AgentListResponse> {
    return this.queries.execute(new ListAgentsQuery(projectId, page));
  }

  @Delete(':agentId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The agent is deleted.' })
  @ApiProblem(404, ['AGENTS.NOT_FOUND'], 'The project has no agent with this id (or it is another tenant’s).')
  @ApiProblem(409, ['AGENTS.IN_USE'], 'A live number answers with this agent.')
  delete(
    @Param('projectId', parseId('projectId')) projectId: string,
    @Param('agentId', parseId('agentId')) agentId: string,
  ): Promise<void> {
    return this.commands.execute(new DeleteAgentCommand(projectId, agentId));
  }
}
