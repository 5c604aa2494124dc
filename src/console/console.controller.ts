import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthConfig, type ProviderMode } from '../config/index.js';
import type { SandboxSummary } from '../runtime-config.js';
import { Public, developmentToken } from '../tenancy/index.js';
import { ConsoleSessionResponse } from './console-session.response.js';

/** The console's files (copied beside the build by nest-cli.json's assets). */
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
/** The only files served: a name never reaches the file system unless it is one of these. */
const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};
/** The page loads its own script and style and talks to this origin only; nothing may frame it. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');
export interface ConsoleOptions {
  providerMode: ProviderMode;
  sandbox?: SandboxSummary;
}

/**
 * The console's pages, public like any web page (they hold no data); everything they show comes from the API,
 * with the bearer token the person signs in with.
 */
@ApiTags('console')
@Public()
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly auth: AuthConfig,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  @Get()
  @ApiExcludeEndpoint()
  page(@Res() res: Response): void {
    this.send(res, 'index.html', 'text/html; charset=utf-8');
  }

  @Get('session')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    type: ConsoleSessionResponse,
    description:
      'What the console offers before sign-in. No authentication: the development token only exists in sandbox ' +
      'mode with no AUTH_JWT_SECRET or AUTH_JWKS_URL, and is handed out only to a request from this machine.',
  })
  async session(@Req() req: Request): Promise<ConsoleSessionResponse> {
    const sandbox = this.options.sandbox;
    return {
      providerMode: this.options.providerMode,
      developmentToken: fromThisMachine(req) ? ((await developmentToken(this.auth)) ?? null) : null,
      sandboxDashboardUrl: sandbox?.dashboardUrl ?? null,
      assistants: sandbox?.assistants() ?? [],
    };
  }

  @Get(':file')
  @ApiExcludeEndpoint()
  asset(@Param('file') file: string, @Res() res: Response): void {
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundException();
    this.send(res, file, type);
  }

  private send(res: Response, file: string, type: string): void {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(PUBLIC_DIR, file));
  }
}

/**
 * Whether the request comes from this machine to this machine: a loopback peer, and a loopback `Host` (a page of
 * another site that made its name resolve to 127.0.0.1, DNS rebinding, names its own host).
 */
function fromThisMachine(req: Request): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopbackPeer = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return loopbackPeer && LOOPBACK_HOSTS.has(host);
}
