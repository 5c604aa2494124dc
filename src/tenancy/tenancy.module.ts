import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ClsModule } from 'nestjs-cls';
import { AuthGuard } from './auth/auth.guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { TenantDirectory } from './auth/tenant-directory.js';
import { CreateProjectHandler } from './projects/create-project/create-project.handler.js';
import { GetProjectHandler } from './projects/get-project/get-project.handler.js';
import { ListProjectsHandler } from './projects/list-projects/list-projects.handler.js';
import { Project } from './projects/project.entity.js';
import { ProjectsController } from './projects/projects.controller.js';
import { UpdateProjectHandler } from './projects/update-project/update-project.handler.js';
import { TenantQuotas } from './quotas/tenant-quotas.js';
import { TenantScope } from './tenant-scope/tenant-scope.js';

@Module({
  imports: [
    ClsModule.forRoot({ global: true, middleware: { mount: true } }),
    MikroOrmModule.forFeature([Project]),
  ],
  controllers: [ProjectsController],
  providers: [
    JwtVerifier,
    TenantDirectory,
    TenantScope,
    TenantQuotas,
    { provide: APP_GUARD, useClass: AuthGuard },
    CreateProjectHandler,
    ListProjectsHandler,
    GetProjectHandler,
    UpdateProjectHandler,
  ],
  exports: [TenantScope, TenantQuotas],
})
export class TenancyModule {}
